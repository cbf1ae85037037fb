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

    /// <summary>Returns a warning when the interface could not be set up (the boot goes on without a network).</summary>
    public static string? Apply(NetworkSeed? network)
    {
        string? warning = null;
        if (network is not null)
        {
            try
            {
                Configure(NetworkPlan.For(WaitForInterface(NetworkPlan.InterfaceDeadline)));
            }
            catch (IOException e)
            {
                warning = $"network unavailable: {e.Message}";
            }
        }
        StepRunner.Run(NetworkPlan.Resolver(network));
        return warning;
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
