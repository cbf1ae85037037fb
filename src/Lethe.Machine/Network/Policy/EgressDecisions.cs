using System.Net;
using Lethe.Protocol;
using Lethe.Spec;

namespace Lethe.Machine.Network.Policy;

/// <summary>Whether a name may be resolved at all.</summary>
public sealed record NameDecision(bool Allowed, string Reason);

/// <summary>What becomes of one address the host's resolver answered.</summary>
/// <param name="GuestAddress">What the guest is told (127.0.0.1 becomes the gateway), or null when dropped.</param>
public sealed record AnswerDecision(IPAddress HostAddress, IPAddress? GuestAddress, string Reason);

/// <summary>
/// The egress policy's decisions, pure: rules, denied ranges and the names bound to an address in, a verdict
/// with its reason out. <see cref="PolicyEngine"/> supplies the state and keeps the log.
/// </summary>
public static class EgressDecisions
{
    public static NameDecision DecideName(PolicyRules rules, string name)
    {
        if (rules.DenyingNameEverywhere(name) is { } deny)
            return new(false, $"denied by rule {deny}");
        if (rules.IsOpen)
            return new(true, "open egress");
        var allow = rules.Egress!.FirstOrDefault(rule => rule.CoversName(name));
        return allow is null ? new(false, "no egress rule names it") : new(true, $"rule {allow}");
    }

    /// <summary>Drops answers in denied ranges (rebinding) unless exempt; only 127.0.0.1 of the loopback is
    /// reachable, as the gateway address.</summary>
    public static AnswerDecision DecideAnswer(PolicyRules rules, DeniedRanges denied, IPAddress address)
    {
        if (rules.Deny.FirstOrDefault(rule => rule.CoversAddress(address) && rule.Port is null) is { } deny)
            return new(address, null, $"denied by rule {deny}");
        if (denied.Find(address) is not { } range)
            return new(address, address, "resolved");
        if (!rules.Exempts(address, null, range))
            return new(address, null, $"{address} is {range.Why}, not in network.allow (rebinding)");
        if (Ipv4.TryToUInt(address, out var value) && value >> 24 == 127)
            return address.Equals(NetworkLayout.HostLoopback)
                ? new(address, NetworkLayout.Gateway, $"the host's loopback, allowed; the guest reaches it as {NetworkLayout.Gateway}")
                : new(address, null, $"{address} is on the host's loopback; only 127.0.0.1 is reachable (as {NetworkLayout.Gateway})");
        return new(address, address, $"{range.Why}, allowed");
    }

    public static ConnectDecision DecideConnect(PolicyRules rules, DeniedRanges denied, IReadOnlyList<string> boundNames, IPAddress address, int port)
    {
        var target = $"{address}:{port}";
        if (denied.Find(address) is { } range && !rules.Exempts(address, port, range))
            return Deny($"{target}: {address} is {range.Why}, not in network.allow");
        if (rules.DenyingAddress(address, port) is { } denyAddress)
            return Deny($"{target}: denied by rule {denyAddress}");

        var usable = boundNames.Where(name => rules.DenyingName(name, port) is null).ToList();
        var deniedNames = boundNames.Except(usable).ToList();
        // The connection counts as the names lethe resolved to the address: when each of them is denied, so is it.
        if (boundNames.Count > 0 && usable.Count == 0)
            return Deny($"{target}: {deniedNames[0]} is denied by rule {rules.DenyingName(deniedNames[0], port)}");
        if (rules.IsOpen)
        {
            if (deniedNames.Count > 0 && EgressRule.WebPorts.Contains(port))
                return new(ConnectVerdict.Inspect, $"{target}: open egress, but {deniedNames[0]} is denied here too; its name is checked");
            return new(ConnectVerdict.Allow, $"{target}: open egress");
        }

        var addressRule = rules.Egress!.FirstOrDefault(rule => rule.CoversAddress(address) && rule.CoversPort(port, portlessMeansWeb: false));
        if (addressRule is not null)
            return new(ConnectVerdict.Allow, $"{target}: rule {addressRule}");
        foreach (var name in usable)
            if (rules.Egress!.FirstOrDefault(rule => rule.Port == port && rule.CoversName(name)) is { } portRule)
                return new(ConnectVerdict.Allow, $"{target}: rule {portRule} ({name} resolved to {address})");
        foreach (var name in usable)
            if (rules.AllowingName(name, port) is { NeedsInspection: true } webRule)
                return new(ConnectVerdict.Inspect, $"{target}: rule {webRule} ({name} resolved to {address}); SNI or Host must name it");
        if (boundNames.Count == 0)
            return Deny($"{target}: no rule allows it, and lethe resolved no allowed name to {address}");
        return Deny($"{target}: no rule allows {string.Join(", ", usable)} on port {port}");
    }

    public static InspectDecision DecideFirstBytes(PolicyRules rules, IReadOnlyList<string> boundNames, IPAddress address, int port, ReadOnlySpan<byte> firstBytes)
    {
        var read = FirstBytes.Read(firstBytes);
        switch (read.Kind)
        {
            case FirstBytesKind.NeedMore:
                return new(InspectVerdict.NeedMore, "");
            case FirstBytesKind.Unknown or FirstBytesKind.Malformed or FirstBytesKind.NoName:
                return new(InspectVerdict.Deny, $"{read.Protocol}: {read.Detail}; an allowed name on port {port} must be shown by SNI or Host");
        }
        var name = read.Name!;
        if (rules.DenyingName(name, port) is { } deny)
            return new(InspectVerdict.Deny, $"{read.Detail}: denied by rule {deny}");
        var allow = rules.IsOpen ? null : rules.AllowingName(name, port);
        if (!rules.IsOpen && allow is null)
            return new(InspectVerdict.Deny, $"{read.Detail}: no rule allows it on port {port}");
        if (!boundNames.Contains(name))
            return new(InspectVerdict.Deny, $"{read.Detail}: lethe did not resolve it to {address} (fronting)");
        return new(InspectVerdict.Allow, allow is null ? $"{read.Detail}: open egress" : $"{read.Detail}: rule {allow}");
    }

    private static ConnectDecision Deny(string reason) => new(ConnectVerdict.Deny, reason);
}
