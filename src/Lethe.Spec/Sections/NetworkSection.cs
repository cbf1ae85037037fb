using System.Globalization;
using Lethe.Spec.Reading;
using YamlDotNet.RepresentationModel;

namespace Lethe.Spec.Sections;

/// <summary>network: {mode, egress, allow, forward}: the machine's network device and its egress policy.</summary>
internal sealed class NetworkSection : ISpecSection
{
    private const string EgressForm = "open, or a list of hosts like [github.com, \"*.debian.org\", \"github.com:22\", 140.82.112.0/20]";
    private const string ForwardForm = "auto, none, or a list like [\"8080:80\"]";

    private static readonly Dictionary<string, NetworkMode> Modes = new() { ["gateway"] = NetworkMode.Gateway, ["none"] = NetworkMode.None };

    public string Key => "network";

    public MachineSpec Read(YamlNode value, MachineSpec spec, NodeReader reader)
    {
        var network = spec.Network;
        reader.Fields(value, Key,
        [
            new("mode", (node, path) =>
            {
                if (reader.TryChoice(node, path, Modes, out var mode))
                    network = network with { Mode = mode };
            }),
            new("egress", (node, path) => network = ReadEgress(node, path, reader, network)),
            new("allow", (node, path) => network = network with { Allow = ReadRules(node, path, reader, addressesOnly: true) }),
            new("forward", (node, path) => network = ReadForward(node, path, reader, network)),
        ]);
        return spec with { Network = network };
    }

    private static NetworkSpec ReadEgress(YamlNode node, string path, NodeReader reader, NetworkSpec network)
    {
        if (node is YamlScalarNode { Value: "open" })
            return network with { Egress = null };
        if (node is not YamlSequenceNode)
        {
            reader.ReportExpected(node, path, EgressForm);
            return network;
        }
        return network with { Egress = ReadRules(node, path, reader, addressesOnly: false) };
    }

    private static List<EgressRule> ReadRules(YamlNode node, string path, NodeReader reader, bool addressesOnly)
    {
        var rules = new List<EgressRule>();
        var expected = addressesOnly ? "a list of IPv4 addresses or CIDRs, each optionally with :port" : EgressForm;
        foreach (var (item, itemPath) in reader.Items(node, path, expected))
        {
            if (!reader.TryScalar(item, itemPath, "a host like github.com, \"*.debian.org\", \"github.com:22\" or 140.82.112.0/20", out var text))
                continue;
            if (!EgressRule.TryParse(text, out var rule, out var error))
                reader.Report(item, $"{itemPath}: '{text}' {error}");
            else if (addressesOnly && !rule.IsAddressRule)
                reader.Report(item, $"{itemPath}: '{text}' is a name; allow takes IPv4 addresses or CIDRs (names go in egress)");
            else
                rules.Add(rule);
        }
        return rules;
    }

    private static NetworkSpec ReadForward(YamlNode node, string path, NodeReader reader, NetworkSpec network)
    {
        switch (node)
        {
            case YamlScalarNode { Value: "auto" }:
                return network with { Forward = ForwardMode.Auto, Forwards = [] };
            case YamlScalarNode { Value: "none" }:
                return network with { Forward = ForwardMode.None, Forwards = [] };
            case YamlSequenceNode:
                break;
            default:
                reader.ReportExpected(node, path, ForwardForm);
                return network;
        }
        var forwards = new List<PortForward>();
        foreach (var (item, itemPath) in reader.Items(node, path, ForwardForm))
        {
            if (!reader.TryScalar(item, itemPath, "\"HOSTPORT:GUESTPORT\" like \"8080:80\"", out var text))
                continue;
            if (!TryParseForward(text, out var forward))
                reader.Report(item, $"{itemPath}: expected \"HOSTPORT:GUESTPORT\" like \"8080:80\" (ports 1..65535), got '{text}'");
            else if (forwards.Any(f => f.HostPort == forward.HostPort))
                reader.Report(item, $"{itemPath}: host port {forward.HostPort} is forwarded twice");
            else
                forwards.Add(forward);
        }
        return network with { Forward = ForwardMode.List, Forwards = forwards };
    }

    /// <summary>"8080:80", or "8080" for the same port on both sides.</summary>
    private static bool TryParseForward(string text, out PortForward forward)
    {
        forward = null!;
        var parts = text.Split(':');
        if (parts.Length > 2 || !parts.All(p => int.TryParse(p, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n is >= 1 and <= 65535))
            return false;
        var host = int.Parse(parts[0], CultureInfo.InvariantCulture);
        forward = new PortForward(host, parts.Length == 2 ? int.Parse(parts[1], CultureInfo.InvariantCulture) : host);
        return true;
    }
}
