using System.Net;
using System.Net.Sockets;

namespace Lethe.Machine.Network.Dns;

/// <summary>The host's side of name resolution: IPv4 addresses of a name, empty when it has none.
/// Throws for failures other than "no such name" (the guest then gets SERVFAIL).</summary>
public interface INameResolver
{
    Task<IReadOnlyList<IPAddress>> ResolveAsync(string name, CancellationToken cancellationToken);
}

/// <summary>The host's own resolver (getaddrinfo: /etc/hosts and nsswitch included), IPv4 only.</summary>
public sealed class SystemResolver : INameResolver
{
    public async Task<IReadOnlyList<IPAddress>> ResolveAsync(string name, CancellationToken cancellationToken)
    {
        try
        {
            return await System.Net.Dns.GetHostAddressesAsync(name, AddressFamily.InterNetwork, cancellationToken).ConfigureAwait(false);
        }
        catch (SocketException e) when (e.SocketErrorCode is SocketError.HostNotFound or SocketError.NoData)
        {
            return [];
        }
    }
}

/// <summary>Names from a hosts-format file first, then <paramref name="fallback"/> (the tests' override).</summary>
public sealed class HostsFileResolver(IReadOnlyDictionary<string, IReadOnlyList<IPAddress>> hosts, INameResolver fallback) : INameResolver
{
    public Task<IReadOnlyList<IPAddress>> ResolveAsync(string name, CancellationToken cancellationToken) =>
        hosts.TryGetValue(name, out var addresses) ? Task.FromResult(addresses) : fallback.ResolveAsync(name, cancellationToken);

    /// <summary>Pure: "ADDRESS NAME [NAME...]" lines, '#' comments; IPv4 only, names normalised.</summary>
    public static IReadOnlyDictionary<string, IReadOnlyList<IPAddress>> Parse(string text)
    {
        var hosts = new Dictionary<string, List<IPAddress>>();
        foreach (var rawLine in text.Split('\n'))
        {
            var line = rawLine.Split('#')[0];
            var fields = line.Split([' ', '\t', '\r'], StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length < 2 || !Lethe.Spec.Ipv4.TryParse(fields[0], out var value))
                continue;
            foreach (var written in fields.Skip(1))
            {
                var name = Lethe.Spec.EgressRule.NormalizeName(written);
                if (!hosts.TryGetValue(name, out var list))
                    hosts[name] = list = [];
                list.Add(Lethe.Spec.Ipv4.ToAddress(value));
            }
        }
        return hosts.ToDictionary(pair => pair.Key, pair => (IReadOnlyList<IPAddress>)pair.Value);
    }
}
