using Lethe.Guest.Native;
using Lethe.Protocol;
using Lethe.Protocol.Boot;

namespace Lethe.Guest.Boot;

/// <summary>
/// Configures the guest's network from the seed (see <see cref="NetworkPlan"/>), in the new root before any
/// user process: the interface statically, then resolv.conf. Without a network, resolv.conf names no server.
/// </summary>
internal static class NetworkSetup
{
    private const string InterfaceFolder = "/sys/class/net";

    /// <summary>
    /// Returns what could not be done, one warning each; the boot goes on. Neither failure weakens the
    /// policy, which the host enforces: without the interface the machine is offline, and a resolv.conf
    /// the user persisted (a bind mount) is left as it is.
    /// </summary>
    public static IReadOnlyList<string> Apply(NetworkSeed? network)
    {
        var warnings = new List<string>();
        if (network is not null)
        {
            try
            {
                Configure(NetworkPlan.For(WaitForInterface(NetworkPlan.InterfaceDeadline)));
            }
            catch (IOException e)
            {
                warnings.Add($"network unavailable: {e.Message}");
            }
        }
        try
        {
            StepRunner.Run(NetworkPlan.Resolver(network));
        }
        catch (IOException e)
        {
            warnings.Add($"{NetworkPlan.ResolvConf} left as it is: {e.Message}");
        }
        return warnings;
    }

    private static void Configure(InterfacePlan plan)
    {
        // The kernel settings first, while the interface is down: no IPv6 packet ever leaves it.
        foreach (var setting in plan.Settings)
            File.WriteAllText(setting.Path, setting.Value);
        using var control = new InterfaceControl();
        control.SetAddress(plan.Name, plan.Address);
        control.SetNetmask(plan.Name, plan.Netmask);
        control.Up(plan.Name);
        control.AddDefaultRoute(plan.Name, plan.Gateway);
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
        foreach (var folder in Directory.EnumerateFileSystemEntries(InterfaceFolder))
        {
            string address;
            try
            {
                address = File.ReadAllText(Path.Combine(folder, "address"));
            }
            catch (IOException)
            {
                continue;
            }
            yield return (Path.GetFileName(folder), address);
        }
    }
}
