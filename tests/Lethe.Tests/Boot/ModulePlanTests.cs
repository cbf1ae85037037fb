using Lethe.Protocol;
using Lethe.Protocol.Boot;

namespace Lethe.Tests.Boot;

/// <summary>Modules load before the seed for the devices present (so a warm snapshot holds them), after it for what the seed asks.</summary>
public sealed class ModulePlanTests
{
    private static readonly GuestSeed Bare = new()
    {
        Hostname = "t",
        User = new GuestUser("dev", 1000, 1000, "/home/dev", "/bin/bash"),
        MemoryMiB = 1024,
    };

    [Fact]
    public void A_machine_with_only_its_root_disk_and_control_port_loads_nothing_more_before_or_after_its_seed()
    {
        ModulePlan.ForDevices([2, 3], [SeedLayout.RootDiskSerial]).ShouldBeEmpty();
        ModulePlan.ForSeed(Bare).ShouldBeEmpty();
    }

    [Fact]
    public void Every_device_brings_its_modules_before_the_seed()
    {
        ModulePlan.ForDevices([1, 2, 3, 9], [SeedLayout.RootDiskSerial, SeedLayout.PersistDiskSerial, SeedLayout.ScratchDiskSerial]).ShouldBe(
            [.. ModulePlan.Persist, .. WorkspacePlan.Modules, .. ScratchPlan.Modules, .. NetworkPlan.Modules]);
        ModulePlan.ForDevices([ModulePlan.VirtioNetwork], []).ShouldBe(NetworkPlan.Modules);
        ModulePlan.ForDevices([ModulePlan.Virtio9p], []).ShouldBe(WorkspacePlan.Modules);
    }

    [Fact]
    public void The_seed_asks_for_the_modules_of_its_features()
    {
        var seed = Bare with
        {
            Persist = [new PersistPath("/etc/ssh")],
            Workspace = new SharedFolder("work", "/work", Overlay: false),
            Usb = true,
        };
        ModulePlan.ForSeed(seed).ShouldBe([.. ModulePlan.Persist, .. WorkspacePlan.Modules, .. UsbPlan.Modules]);
    }

    [Fact]
    public void What_a_seed_needs_is_what_its_devices_bring_so_a_restore_loads_nothing_after_its_seed()
    {
        var seed = Bare with { Persist = [new PersistPath("/etc/ssh")], Workspace = new SharedFolder("work", "/work", Overlay: true) };
        ModulePlan.ForSeed(seed).Except(ModulePlan.ForDevices([ModulePlan.Virtio9p], [SeedLayout.PersistDiskSerial])).ShouldBeEmpty();
    }
}
