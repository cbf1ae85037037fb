using Lethe.Guest.Native;
using Lethe.Protocol;
using Lethe.Protocol.Boot;

namespace Lethe.Guest.Boot;

/// <summary>
/// Configures the guest's network from the seed (see <see cref="NetworkPlan"/>) before any user process.
/// <see cref="Start"/> runs as soon as the driver is loaded: it finds the interface and applies the kernel
/// settings, then brings the interface up on a thread of its own (the driver fills its receive queues, slow
/// under TCG) while the root is put together. <see cref="Finish"/>, in the new root, waits for it and
/// writes resolv.conf. Without a network, resolv.conf names no server.
/// </summary>
internal sealed class NetworkSetup
{
    private const string InterfaceFolder = "/sys/class/net";
    private readonly NetworkSeed? _network;
    private Thread? _bringUp;
    private string? _failure;

    private NetworkSetup(NetworkSeed? network) => _network = network;

    /// <summary>Needs /sys and /proc; touches no other path, so the root can be switched while it runs.</summary>
    public static NetworkSetup Start(NetworkSeed? network)
    {
        var setup = new NetworkSetup(network);
        if (network is null)
            return setup;
        try
        {
            var plan = NetworkPlan.For(WaitForInterface(NetworkPlan.InterfaceDeadline));
            // The kernel settings first, while the interface is down: no IPv6 packet ever leaves it.
            foreach (var setting in plan.Settings)
                File.WriteAllText(setting.Path, setting.Value);
            setup._bringUp = new Thread(() => setup.BringUp(plan)) { IsBackground = true, Name = "network" };
            setup._bringUp.Start();
        }
        catch (IOException e)
        {
            setup._failure = e.Message;
        }
        return setup;
    }

    /// <summary>
    /// Returns what could not be done, one warning each; the boot goes on. Neither failure weakens the
    /// policy, which the host enforces: without the interface the machine is offline, and a resolv.conf
    /// the user persisted (a bind mount) is left as it is.
    /// </summary>
    public IReadOnlyList<string> Finish()
    {
        _bringUp?.Join();
        var warnings = new List<string>();
        if (_failure is { } failure)
            warnings.Add($"network unavailable: {failure}");
        try
        {
            StepRunner.Run(NetworkPlan.Resolver(_network));
        }
        catch (IOException e)
        {
            warnings.Add($"{NetworkPlan.ResolvConf} left as it is: {e.Message}");
        }
        return warnings;
    }

    /// <summary>Only a socket and ioctls: no path, whatever the root is at the time.</summary>
    private void BringUp(InterfacePlan plan)
    {
        try
        {
            using var control = new InterfaceControl();
            control.SetAddress(plan.Name, plan.Address);
            control.SetNetmask(plan.Name, plan.Netmask);
            control.Up(plan.Name);
            control.AddDefaultRoute(plan.Name, plan.Gateway);
        }
        catch (IOException e)
        {
            _failure = e.Message;
        }
    }

    private static string WaitForInterface(TimeSpan deadline)
    {
        var until = Environment.TickCount64 + (long)deadline.TotalMilliseconds;
        while (true)
        {
            if (NetworkPlan.FindInterface(Interfaces()) is { } name)
                return name;
            if (Environment.TickCount64 > until)
                throw new IOException($"no interface with MAC {NetworkLayout.GuestMac} within {deadline.TotalSeconds:0} s");
            Thread.Sleep(10);
        }
    }

    private static IEnumerable<(string Name, string Address)> Interfaces()
    {
        foreach (var entry in Directory.EnumerateFileSystemEntries(InterfaceFolder))
        {
            string address;
            try
            {
                address = File.ReadAllText(Path.Combine(entry, "address"));
            }
            catch (IOException)
            {
                continue;
            }
            yield return (Path.GetFileName(entry), address);
        }
    }
}
