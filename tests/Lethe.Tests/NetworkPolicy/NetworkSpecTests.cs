using Lethe.Spec;
using Lethe.Tests.Spec;

namespace Lethe.Tests.NetworkPolicy;

/// <summary>network: {mode, egress, allow, forward} in the spec.</summary>
public sealed class NetworkSpecTests
{
    [Fact]
    public void Absent_network_is_a_gateway_with_open_egress_and_the_commands_forward_default()
    {
        var network = SpecAssert.Valid("").Network;

        network.Mode.ShouldBe(NetworkMode.Gateway);
        network.IsOpen.ShouldBeTrue();
        network.Allow.ShouldBeEmpty();
        network.Forward.ShouldBe(ForwardMode.CommandDefault);
        network.EffectiveForward(workstation: true).ShouldBe(ForwardMode.Auto);
        network.EffectiveForward(workstation: false).ShouldBe(ForwardMode.None);
        SpecLoader.Default().Network.ShouldBe(network);
    }

    [Fact]
    public void Every_key_is_read()
    {
        var network = SpecAssert.Valid("""
            network:
              mode: gateway
              egress: [github.com, "*.debian.org", "github.com:22", 140.82.112.0/20, "10.1.2.3:8080"]
              allow: [127.0.0.1, "192.168.1.0/24:5432"]
              forward: ["8080:80", "3000"]
            """).Network;

        network.Egress!.Select(rule => rule.ToString()).ShouldBe(["github.com", "*.debian.org", "github.com:22", "140.82.112.0/20", "10.1.2.3:8080"]);
        network.Allow.Select(rule => rule.ToString()).ShouldBe(["127.0.0.1", "192.168.1.0/24:5432"]);
        network.Forward.ShouldBe(ForwardMode.List);
        network.Forwards.ShouldBe([new PortForward(8080, 80), new PortForward(3000, 3000)]);
        network.EffectiveForward(workstation: true).ShouldBe(ForwardMode.List);
    }

    [Fact]
    public void Mode_none_and_the_forward_words()
    {
        SpecAssert.Valid("network: {mode: none}").Network.Mode.ShouldBe(NetworkMode.None);
        SpecAssert.Valid("network: {forward: auto}").Network.EffectiveForward(workstation: false).ShouldBe(ForwardMode.Auto);
        SpecAssert.Valid("network: {forward: none}").Network.EffectiveForward(workstation: true).ShouldBe(ForwardMode.None);
        SpecAssert.Valid("network: {egress: open}").Network.IsOpen.ShouldBeTrue();
    }

    [Fact]
    public void An_empty_egress_list_allows_nothing_rather_than_everything()
    {
        var network = SpecAssert.Valid("network: {egress: []}").Network;

        network.IsOpen.ShouldBeFalse();
        network.Egress.ShouldBeEmpty();
    }

    [Theory]
    [InlineData("network: {mode: tap}", "1:17: network.mode: expected one of gateway, none, got 'tap'")]
    [InlineData("network: {egress: closed}", "1:19: network.egress: expected open, or a list of hosts like [github.com, \"*.debian.org\", \"github.com:22\", 140.82.112.0/20], got 'closed'")]
    [InlineData("network: {egress: [\"github.com:0\"]}", "1:20: network.egress[0]: 'github.com:0' has port '0'; a port is 1..65535")]
    [InlineData("network: {egress: [\"github.com:http\"]}", "1:20: network.egress[0]: 'github.com:http' has port 'http'; a port is 1..65535")]
    [InlineData("network: {egress: [\"*\"]}", "1:20: network.egress[0]: '*' is not a host name, \"*.domain\", IPv4 address or CIDR")]
    [InlineData("network: {egress: [\"*.\"]}", "1:20: network.egress[0]: '*.' is not a wildcard like \"*.example.com\"")]
    [InlineData("network: {egress: [\"a*.example.com\"]}", "1:20: network.egress[0]: 'a*.example.com' is not a host name, \"*.domain\", IPv4 address or CIDR")]
    [InlineData("network: {egress: [\"2001:db8::1\"]}", "1:20: network.egress[0]: '2001:db8::1' is IPv6; lethe's network is IPv4 only")]
    [InlineData("network: {egress: [1.2.3]}", "1:20: network.egress[0]: '1.2.3' is not an IPv4 address (four numbers 0..255)")]
    [InlineData("network: {egress: [256.1.1.1]}", "1:20: network.egress[0]: '256.1.1.1' is not an IPv4 address (four numbers 0..255)")]
    [InlineData("network: {egress: [10.0.0.1/8]}", "1:20: network.egress[0]: '10.0.0.1/8' has bits set outside its /8 (did you mean 10.0.0.0/8?)")]
    [InlineData("network: {egress: [10.0.0.0/33]}", "1:20: network.egress[0]: '10.0.0.0/33' has prefix length '33'; it is 0..32")]
    [InlineData("network: {egress: [[a]]}", "1:20: network.egress[0]: expected a host like github.com, \"*.debian.org\", \"github.com:22\" or 140.82.112.0/20, got a list")]
    [InlineData("network: {allow: [localhost]}", "1:19: network.allow[0]: 'localhost' is a name; allow takes IPv4 addresses or CIDRs (names go in egress)")]
    [InlineData("network: {allow: 127.0.0.1}", "1:18: network.allow: expected a list of IPv4 addresses or CIDRs, each optionally with :port, got '127.0.0.1'")]
    [InlineData("network: {forward: always}", "1:20: network.forward: expected auto, none, or a list like [\"8080:80\"], got 'always'")]
    [InlineData("network: {forward: [\"8080:80:1\"]}", "1:21: network.forward[0]: expected \"HOSTPORT:GUESTPORT\" like \"8080:80\" (ports 1..65535), got '8080:80:1'")]
    [InlineData("network: {forward: [\"70000:80\"]}", "1:21: network.forward[0]: expected \"HOSTPORT:GUESTPORT\" like \"8080:80\" (ports 1..65535), got '70000:80'")]
    [InlineData("network: {forward: [\"8080:80\", \"8080:81\"]}", "1:32: network.forward[1]: host port 8080 is forwarded twice")]
    [InlineData("network: {egres: open}", "1:11: unknown key 'egres' in network (did you mean 'egress'?)")]
    [InlineData("network: open", "1:10: network: expected a mapping with keys mode, egress, allow, forward, got 'open'")]
    public void Wrong_values_are_one_error_at_the_value(string yaml, string expected) => SpecAssert.SingleError(yaml, expected);

    [Fact]
    public void The_starters_network_example_loads_once_uncommented()
    {
        var starter = SpecLoader.StarterText();
        SpecAssert.Valid(starter).Network.ShouldBe(new NetworkSpec());
        var start = starter.IndexOf("# network:", StringComparison.Ordinal);
        start.ShouldBeGreaterThan(0);
        var example = string.Join('\n', starter[start..].Split('\n').TakeWhile(line => line.StartsWith('#')).Select(line => line[2..]));

        var network = SpecAssert.Valid(example).Network;
        network.Egress!.Count.ShouldBe(4);
        network.Allow.ShouldHaveSingleItem().ToString().ShouldBe("127.0.0.1");
        network.Forwards.ShouldBe([new PortForward(8080, 80)]);
    }
}
