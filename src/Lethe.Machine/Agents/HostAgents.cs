namespace Lethe.Machine.Agents;

/// <summary>
/// The host agents one session forwards: for each kind (<see cref="Protocol.AgentKinds"/>), the host
/// socket its streams connect to; and, with gpg, the public keys the guest imports.
/// </summary>
public sealed record HostAgents(IReadOnlyDictionary<string, string> Sockets, string? GpgPublicKeys = null)
{
    public IReadOnlyList<string> Kinds => [.. Protocol.AgentKinds.All.Where(Sockets.ContainsKey)];
}
