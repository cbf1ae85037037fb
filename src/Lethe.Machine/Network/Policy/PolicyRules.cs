using System.Net;
using Lethe.Spec;

namespace Lethe.Machine.Network.Policy;

/// <summary>
/// The rules in force, immutable: each change makes a new one. <see cref="Egress"/> null is open egress.
/// <see cref="Allow"/> holds address rules exempt from the denied ranges; <see cref="Deny"/> the rules of
/// lethe net deny, which win over every allow (a portless deny covers every port).
/// </summary>
public sealed record PolicyRules(IReadOnlyList<EgressRule>? Egress, IReadOnlyList<EgressRule> Allow, IReadOnlyList<EgressRule> Deny)
{
    public static PolicyRules From(NetworkSpec spec) => new(spec.Egress, spec.Allow, []);

    public bool IsOpen => Egress is null;

    /// <summary>Whether <paramref name="address"/>:<paramref name="port"/> may be reached although it is in
    /// <paramref name="range"/>: allow covers it, or an egress address rule lying wholly inside the range does.
    /// A null port asks whether some port is exempt (for DNS answers).</summary>
    public bool Exempts(IPAddress address, int? port, DeniedRange range) =>
        Allow.Any(rule => Covers(rule, address, port))
        || (Egress ?? []).Any(rule => rule.PrefixLength >= range.PrefixLength && Covers(rule, address, port));

    private static bool Covers(EgressRule rule, IPAddress address, int? port) =>
        rule.CoversAddress(address) && (port is not { } p || rule.CoversPort(p, portlessMeansWeb: false));

    public EgressRule? DenyingAddress(IPAddress address, int port) =>
        Deny.FirstOrDefault(rule => rule.CoversAddress(address) && rule.CoversPort(port, portlessMeansWeb: false));

    public EgressRule? DenyingName(string name, int port) =>
        Deny.FirstOrDefault(rule => rule.CoversName(name) && rule.CoversPort(port, portlessMeansWeb: false));

    /// <summary>A deny rule that covers the name on every port: the name then does not resolve at all.</summary>
    public EgressRule? DenyingNameEverywhere(string name) => Deny.FirstOrDefault(rule => rule.CoversName(name) && rule.Port is null);

    public EgressRule? AllowingName(string name, int port) =>
        Egress?.FirstOrDefault(rule => rule.CoversName(name) && rule.CoversPort(port, portlessMeansWeb: true));

    /// <summary>lethe net allow: the equal deny rule goes; the rule joins egress (list mode) and, for an
    /// address rule, the exemptions from the denied ranges.</summary>
    public PolicyRules WithAllowed(EgressRule rule) => this with
    {
        Deny = [.. Deny.Where(existing => existing != rule)],
        Egress = Egress is null || Egress.Contains(rule) ? Egress : [.. Egress, rule],
        Allow = !rule.IsAddressRule || Allow.Contains(rule) ? Allow : [.. Allow, rule],
    };

    public PolicyRules WithDenied(EgressRule rule) => Deny.Contains(rule) ? this : this with { Deny = [.. Deny, rule] };
}
