using Lethe.Guest.Native;
using Lethe.Guest.Session;
using Lethe.Protocol;
using Lethe.Protocol.Boot;
using Lethe.Protocol.Modules;

namespace Lethe.Guest.Boot;

/// <summary>
/// PID 1: from the initramfs to a running machine. Loads the base modules and its devices', opens the control port and
/// waits there for its seed (<see cref="SeedReceiver"/>), loads the seed's modules, builds the RAM-backed root, switches
/// into it, and then either serves commands itself (init: fast) or hands PID 1 to systemd.
/// </summary>
internal static class FirstProcess
{
    /// <summary>The control port, open from before the seed until the machine powers off (or systemd takes over).</summary>
    private static FileStream? _port;
    private static ControlChannel? _channel;

    public static int Run()
    {
        var timeline = new Timeline();
        timeline.Mark("kernel");
        try
        {
            StepRunner.Run(MountPlan.Early());
            var commandLine = File.ReadAllText("/proc/cmdline");
            var modules = ModuleTable.Parse(File.ReadAllText("/" + SeedLayout.ModulesPath));
            if (StandalonePlan.IsStandalone(commandLine))
            {
                StandaloneBoot.Run(modules, commandLine);
                return 1;
            }
            ModuleLoader.Load(modules, ModulePlan.Base, commandLine, Console.Error.WriteLine);
            var port = Devices.WaitForPort(SeedLayout.ControlPortName, TimeSpan.FromSeconds(20));
            ModuleLoader.Load(modules, ModulePlan.ForDevices(Devices.VirtioDeviceIds(), Devices.DiskSerials()), commandLine, Console.Error.WriteLine);
            // The image is the same for every machine of a snapshot's key: mounted before the seed, a restore finds it mounted.
            var rootDisk = Devices.WaitForDisk(SeedLayout.RootDiskSerial, TimeSpan.FromSeconds(20));
            StepRunner.Run(MountPlan.LowerLayer(rootDisk));
            _port = new FileStream(port, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite, 0);
            _channel = new ControlChannel(_port, _port);
            var seed = SeedReceiver.Receive(_channel);
            timeline.Mark("seed");
            ModuleLoader.Load(modules, ModulePlan.ForSeed(seed), commandLine, Console.Error.WriteLine);
            timeline.Mark("modules");
            var network = NetworkSetup.Start(seed.Network);

            var persistDisk = seed.Persist is null ? null : Devices.WaitForDisk(SeedLayout.PersistDiskSerial, TimeSpan.FromSeconds(20));
            timeline.Mark("image");
            var warnings = new List<string>();
            var scratch = ScratchDisk.None;
            if (seed.Scratch is not null)
            {
                scratch = SetUpScratch(seed, warnings);
                timeline.Mark("scratch");
            }
            StepRunner.Run(MountPlan.AfterLower(seed, persistDisk, scratch));
            if (seed.Workspace is { } workspace)
            {
                StepRunner.Run(WorkspacePlan.For(workspace, MountPlan.NewRoot));
                timeline.Mark("workspace");
            }
            SystemdHandover.CopyInit(MountPlan.NewRoot);
            if (seed.Init == InitMode.Systemd)
                SystemdHandover.InstallAgent(MountPlan.NewRoot, seed);
            SwitchRoot(MountPlan.NewRoot);
            if (persistDisk is not null)
            {
                Persistence.Apply(seed);
                timeline.Mark("persist");
            }
            Identity.Apply(seed, persistMounted: persistDisk is not null);
            warnings.AddRange(SharedConfig.Apply(seed));
            SshServer.Prepare(seed);
            timeline.Mark("root");
            warnings.AddRange(network.Finish());
            if (seed.Network is not null)
                timeline.Mark("network");

            if (seed.Init == InitMode.Systemd)
            {
                timeline.Save(SystemdHandover.TimelinePath);
                File.WriteAllLines(SystemdHandover.WarningsPath, warnings);
                // The agent opens the port itself; a virtio-serial port has one opener at a time.
                _channel.Dispose();
                _port.Dispose();
                _channel = null;
                SystemdHandover.Exec();
                return 1;
            }
            ServeAndPowerOff(_channel, seed, timeline, warnings);
        }
        catch (Exception e)
        {
            Console.Error.WriteLine($"lethe-init: {e.Message}");
            Console.Error.WriteLine(e.StackTrace);
            TryReportFailure(e.Message);
        }
        PowerOff();
        return 1;
    }

    /// <summary>Fail-open: a scratch disk that cannot be set up becomes a warning and a tmpfs, never a failed boot.</summary>
    private static ScratchDisk SetUpScratch(GuestSeed seed, List<string> warnings)
    {
        string device;
        try
        {
            device = Devices.WaitForDisk(SeedLayout.ScratchDiskSerial, TimeSpan.FromSeconds(5));
        }
        catch (IOException e)
        {
            warnings.Add($"scratch disk unavailable, /scratch is tmpfs: {e.Message}");
            return ScratchDisk.Failed;
        }
        var outcome = ScratchSetup.Setup(device, MountPlan.ScratchStage, 0, 0, Console.Error.WriteLine);
        if (outcome.Encrypted)
            return ScratchDisk.Mounted;
        warnings.Add($"scratch disk unavailable, /scratch is tmpfs: {outcome.Failure}");
        return ScratchDisk.Failed;
    }

    private static void ServeAndPowerOff(ControlChannel channel, GuestSeed seed, Timeline timeline, IReadOnlyList<string> warnings)
    {
        warnings = [.. warnings, .. SshServer.Start(seed)];
        timeline.Mark("ready");
        channel.Send(ControlMessage.Ready(timeline.Phases) with { Warnings = warnings, HostKey = SshServer.Wanted(seed) ? HostKeys.PublicKey() : null, MemoryInUseKiB = MemoryProbe.InUseKiB() });
        new CommandSession(channel, seed).ServeAsync().GetAwaiter().GetResult();
        PowerOff();
    }

    public static void SwitchRoot(string newRoot)
    {
        Libc.Check(Libc.chdir(newRoot), "chdir " + newRoot);
        Libc.Check(Libc.mount(".", "/", null, Libc.MS_MOVE, null), "move new root");
        Libc.Check(Libc.chroot("."), "chroot");
        Libc.Check(Libc.chdir("/"), "chdir /");
    }

    private static void TryReportFailure(string message)
    {
        try
        {
            if (_channel is { } open)
            {
                open.Send(ControlMessage.Failure("guest init: " + message));
                return;
            }
            var port = Devices.WaitForPort(SeedLayout.ControlPortName, TimeSpan.FromSeconds(2));
            using var stream = new FileStream(port, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite, 0);
            using var channel = new ControlChannel(stream, stream);
            channel.Send(ControlMessage.Failure("guest init: " + message));
        }
        catch (Exception)
        {
            // The console log keeps the message; the host notices the missing channel.
        }
    }

    public static void PowerOff()
    {
        Libc.kill(-1, Libc.SIGKILL);
        Persistence.Close();
        Libc.sync();
        Libc.reboot(Libc.RB_POWER_OFF);
        Thread.Sleep(Timeout.Infinite);
    }
}
