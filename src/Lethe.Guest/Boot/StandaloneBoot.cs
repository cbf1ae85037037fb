using Lethe.Protocol;
using Lethe.Protocol.Boot;
using Lethe.Protocol.Modules;

namespace Lethe.Guest.Boot;

/// <summary>
/// PID 1 of an exported disk (<see cref="StandalonePlan"/>): no host, no control channel. The seed comes from the
/// initramfs, randomness from the kernel's own sources, the clock from the RTC. The same RAM root, allowlist and
/// identity as a lethe workstation; then systemd takes PID 1 and serves the console, sshd and the network.
/// </summary>
internal static class StandaloneBoot
{
    private static readonly TimeSpan DiskWait = TimeSpan.FromSeconds(30);

    public static void Run(ModuleTable modules, string commandLine)
    {
        ModuleLoader.Load(modules, StandalonePlan.Modules, commandLine, Console.Error.WriteLine);
        var seed = ReadSeed();
        var rootDevice = Devices.WaitForPartition(StandalonePlan.RootPartition, DiskWait)
            ?? throw new IOException($"no partition named {StandalonePlan.RootPartition} appeared");
        StepRunner.Run(MountPlan.LowerLayer(rootDevice));

        var persistDevice = PreparePersist(seed);
        if (persistDevice is null)
            seed = seed with { Persist = null, KeepIdentity = false };
        StepRunner.Run(MountPlan.AfterLower(seed, persistDevice));
        SystemdHandover.CopyInit(MountPlan.NewRoot);
        FirstProcess.SwitchRoot(MountPlan.NewRoot);
        if (persistDevice is not null)
            Persistence.Apply(seed);
        Identity.Apply(seed, persistMounted: persistDevice is not null);
        SshServer.Prepare(seed);
        WriteSystemdConfig(seed);
        SystemdHandover.Exec();
    }

    /// <summary>The baked seed, with the memory this machine really has (the hypervisor, not the spec, decides it).</summary>
    private static GuestSeed ReadSeed()
    {
        var seed = ProtocolJson.DeserializeSeed(File.ReadAllBytes("/" + StandalonePlan.SeedPath))
            ?? throw new IOException($"/{StandalonePlan.SeedPath} is empty");
        var totalKiB = GuestMemory.TotalKiB(File.ReadAllText("/proc/meminfo"));
        return totalKiB is > 0 ? seed with { MemoryMiB = (int)(totalKiB.Value / 1024) } : seed;
    }

    /// <summary>
    /// A disk with the serial lethe-persist (a Kubernetes volume), else the exported disk's own partition. A blank
    /// one is made into ext4; one that holds anything else is never overwritten: the machine boots without its
    /// allowlist and says so on the console. Null: nothing is kept this boot.
    /// </summary>
    private static string? PreparePersist(GuestSeed seed)
    {
        if (seed.Persist is null)
            return null;
        // Virtio disks are probed while their driver module loads, so a volume's disk is there once the root partition is.
        var device = StandalonePlan.PersistDevice(Devices.FindDiskBySerial(SeedLayout.PersistDiskSerial),
            Devices.WaitForPartition(StandalonePlan.PersistPartition, TimeSpan.FromSeconds(2)));
        if (device is null)
        {
            Console.Error.WriteLine("lethe-init: no persist partition or disk: nothing is kept across reboots");
            return null;
        }
        var head = new byte[StandalonePlan.HeadBytes];
        using (var stream = new FileStream(device, FileMode.Open, FileAccess.Read))
            stream.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        switch (StandalonePlan.Prepare(head))
        {
            case PersistPreparation.Format:
                Console.Error.WriteLine($"lethe-init: {device} is blank: making it the persist filesystem");
                ScratchProcess.Run(StandalonePlan.Mkfs(device), TimeSpan.FromMinutes(5));
                return device;
            case PersistPreparation.Refuse:
                Console.Error.WriteLine($"lethe-init: {device} holds something that is not ext4; it is left alone and nothing is kept this boot");
                return null;
            default:
                return device;
        }
    }

    /// <summary>In the new root: DHCP on every wired interface, the power button, and the console's automatic login.</summary>
    private static void WriteSystemdConfig(GuestSeed seed)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(StandalonePlan.NetworkPath)!);
        File.WriteAllText(StandalonePlan.NetworkPath, StandalonePlan.NetworkConfig);
        File.WriteAllText("/etc/systemd/system/" + StandalonePlan.PowerButtonUnitName, StandalonePlan.PowerButtonUnit());
        Enable("/lib/systemd/system/" + StandalonePlan.NetworkdUnit);
        Enable("/etc/systemd/system/" + StandalonePlan.PowerButtonUnitName);
        foreach (var (path, text) in StandalonePlan.AutologinDropIns(seed.User.Name))
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, text);
        }
    }

    private static void Enable(string unitPath)
    {
        var wants = "/etc/systemd/system/multi-user.target.wants";
        Directory.CreateDirectory(wants);
        var link = Path.Combine(wants, Path.GetFileName(unitPath));
        if (!File.Exists(link))
            File.CreateSymbolicLink(link, unitPath);
    }
}
