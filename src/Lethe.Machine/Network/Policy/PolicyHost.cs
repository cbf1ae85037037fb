using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using Lethe.Machine.Network.Dns;
using Lethe.Machine.Network.Log;

namespace Lethe.Machine.Network.Policy;

/// <summary>What the policy needs from the world, injected: the resolver, the host's own addresses, the clock and the log.</summary>
public sealed record PolicyHost(INameResolver Resolver, IReadOnlyList<IPAddress> HostAddresses, TimeProvider Clock, IDecisionSink Log)
{
    /// <summary>Composition: the host's resolver (with the LETHE_NET_HOSTS override), the addresses on the host's
    /// interfaces now, the system clock, and <paramref name="log"/>.</summary>
    public static PolicyHost FromEnvironment(IDecisionSink log) =>
        new(NameResolvers.FromEnvironment(), CollectHostAddresses(), TimeProvider.System, log);

    /// <summary>Every IPv4 address on the host's interfaces (a guest must not reach the host through any of them).</summary>
    public static IReadOnlyList<IPAddress> CollectHostAddresses()
    {
        try
        {
            return [.. NetworkInterface.GetAllNetworkInterfaces()
                .SelectMany(nic => nic.GetIPProperties().UnicastAddresses)
                .Select(unicast => unicast.Address)
                .Where(address => address.AddressFamily == AddressFamily.InterNetwork)
                .Distinct()];
        }
        catch (NetworkInformationException)
        {
            return [];
        }
    }
}
