using Lethe.Machine.Network;

namespace Lethe.Tests.NetworkPolicy;

/// <summary>TCP connects: the denied ranges in every mode, list-mode rules by name, wildcard, CIDR and port, and deny winning.</summary>
public sealed class ConnectDecisionTests
{
    private static readonly Dictionary<string, string[]> Names = new()
    {
        ["github.com"] = ["140.82.112.3"],
        ["deb.debian.org"] = ["151.101.2.132"],
        ["debian.org"] = ["130.89.148.77"],
        ["evil.example"] = ["198.51.100.66"],
        ["private.example"] = ["10.9.9.9"],
        ["loopback.test"] = ["127.0.0.1"],
    };

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("192.0.2.10")]
    [InlineData("10.0.0.1")]
    [InlineData("169.254.169.254")]
    [InlineData("100.100.100.100")]
    [InlineData("224.0.0.251")]
    public void Open_mode_refuses_the_host_and_the_denied_ranges(string address)
    {
        var policy = new PolicyFixture("");
        policy.Connect(address, 80).ShouldBe(ConnectVerdict.Deny);
        policy.Log.Records.Last().Verdict.ShouldBe("deny");
    }

    [Fact]
    public void Open_mode_allows_public_addresses_without_inspection()
    {
        var policy = new PolicyFixture("");
        policy.Connect("1.1.1.1", 443).ShouldBe(ConnectVerdict.Allow);
        policy.Connect("1.1.1.1", 22).ShouldBe(ConnectVerdict.Allow);
    }

    [Fact]
    public void Allow_exempts_the_host_loopback_only_where_it_says()
    {
        var policy = new PolicyFixture("network: {allow: [\"127.0.0.1:8080\"]}");
        policy.Connect("127.0.0.1", 8080).ShouldBe(ConnectVerdict.Allow);
        policy.Connect("127.0.0.1", 8081).ShouldBe(ConnectVerdict.Deny);
        policy.Connect("127.0.0.2", 8080).ShouldBe(ConnectVerdict.Deny);
    }

    [Fact]
    public void A_catch_all_egress_network_does_not_open_the_denied_ranges()
    {
        var policy = new PolicyFixture("network: {egress: [0.0.0.0/0]}");
        policy.Connect("1.1.1.1", 5432).ShouldBe(ConnectVerdict.Allow);
        policy.Connect("127.0.0.1", 5432).ShouldBe(ConnectVerdict.Deny);
        policy.Connect("169.254.169.254", 80).ShouldBe(ConnectVerdict.Deny);
        policy.Connect("192.0.2.10", 80).ShouldBe(ConnectVerdict.Deny);
    }

    [Fact]
    public void An_explicit_address_inside_a_denied_range_is_reachable_on_its_port()
    {
        var policy = new PolicyFixture("network: {egress: [\"10.1.2.3:8080\", 192.168.7.0/24]}");
        policy.Connect("10.1.2.3", 8080).ShouldBe(ConnectVerdict.Allow);
        policy.Connect("10.1.2.3", 22).ShouldBe(ConnectVerdict.Deny);
        policy.Connect("192.168.7.9", 22).ShouldBe(ConnectVerdict.Allow);
        policy.Connect("192.168.8.9", 22).ShouldBe(ConnectVerdict.Deny);
    }

    [Fact(Timeout = 20_000)]
    public async Task A_name_on_the_default_ports_is_inspected_and_elsewhere_denied()
    {
        var policy = new PolicyFixture("network: {egress: [github.com]}", Names);
        (await policy.ResolveAndConnectAsync("github.com", 443)).Verdict.ShouldBe(ConnectVerdict.Inspect);
        policy.Connect("140.82.112.3", 80).ShouldBe(ConnectVerdict.Inspect);
        policy.Connect("140.82.112.3", 22).ShouldBe(ConnectVerdict.Deny);
    }

    [Fact(Timeout = 20_000)]
    public async Task A_name_with_a_port_is_allowed_there_without_inspection()
    {
        var policy = new PolicyFixture("network: {egress: [\"github.com:22\"]}", Names);
        (await policy.ResolveAndConnectAsync("github.com", 22)).Verdict.ShouldBe(ConnectVerdict.Allow);
        policy.Connect("140.82.112.3", 443).ShouldBe(ConnectVerdict.Deny);
    }

    [Fact]
    public void An_address_no_allowed_name_was_resolved_to_is_denied()
    {
        var policy = new PolicyFixture("network: {egress: [github.com, \"github.com:22\"]}", Names);
        var decision = policy.Engine.DecideConnect(policy.Tcp("140.82.112.3", 443));
        decision.Verdict.ShouldBe(ConnectVerdict.Deny);
        decision.Reason.ShouldContain("lethe resolved no allowed name");
    }

    [Fact(Timeout = 20_000)]
    public async Task A_wildcard_covers_subdomains_not_the_apex()
    {
        var policy = new PolicyFixture("network: {egress: [\"*.debian.org:21\"]}", Names);
        (await policy.ResolveAndConnectAsync("deb.debian.org", 21)).Verdict.ShouldBe(ConnectVerdict.Allow);
        (await policy.AskAsync("debian.org")).Code.ShouldBe(3);
        policy.Connect("130.89.148.77", 21).ShouldBe(ConnectVerdict.Deny);
    }

    [Fact]
    public void A_cidr_rule_allows_every_port_of_its_network_and_a_port_only_that_port()
    {
        var policy = new PolicyFixture("network: {egress: [140.82.112.0/20, \"1.1.1.1:53\"]}");
        policy.Connect("140.82.127.1", 9418).ShouldBe(ConnectVerdict.Allow);
        policy.Connect("140.82.128.1", 9418).ShouldBe(ConnectVerdict.Deny);
        policy.Connect("1.1.1.1", 53).ShouldBe(ConnectVerdict.Allow);
        policy.Connect("1.1.1.1", 443).ShouldBe(ConnectVerdict.Deny);
    }

    [Fact(Timeout = 20_000)]
    public async Task A_resolved_private_address_is_still_denied_unless_allow_covers_it()
    {
        var policy = new PolicyFixture("network: {egress: [\"private.example:80\"]}", Names);
        (await policy.AskAsync("private.example")).Code.ShouldBe(5);
        policy.Connect("10.9.9.9", 80).ShouldBe(ConnectVerdict.Deny);
    }

    [Fact(Timeout = 20_000)]
    public async Task The_hosts_loopback_is_reached_through_a_name_when_allow_lists_it()
    {
        var policy = new PolicyFixture("network: {egress: [\"loopback.test:8080\"], allow: [127.0.0.1]}", Names);
        (await policy.ResolveAndConnectAsync("loopback.test", 8080)).Verdict.ShouldBe(ConnectVerdict.Allow);
        policy.Connect("127.0.0.1", 8081).ShouldBe(ConnectVerdict.Deny);
    }

    [Fact(Timeout = 20_000)]
    public async Task Deny_wins_over_an_allow_by_name_and_by_address()
    {
        var policy = new PolicyFixture("network: {egress: [\"github.com:22\", 140.82.112.0/20]}", Names);
        (await policy.ResolveAndConnectAsync("github.com", 22)).Verdict.ShouldBe(ConnectVerdict.Allow);

        policy.Engine.Deny(Rule("github.com:22"));
        // The address counts as the name lethe resolved to it, so the CIDR rule does not let it through on 22.
        policy.Connect("140.82.112.3", 22).ShouldBe(ConnectVerdict.Deny);
        policy.Connect("140.82.112.3", 443).ShouldBe(ConnectVerdict.Allow);
        policy.Connect("140.82.112.9", 22).ShouldBe(ConnectVerdict.Allow);
        policy.Engine.Deny(Rule("140.82.112.3"));
        policy.Connect("140.82.112.3", 22).ShouldBe(ConnectVerdict.Deny);
        policy.Connect("140.82.112.3", 443).ShouldBe(ConnectVerdict.Deny);
        policy.Connect("140.82.112.4", 443).ShouldBe(ConnectVerdict.Allow);
    }

    [Fact(Timeout = 20_000)]
    public async Task Deny_by_name_in_open_mode_stops_its_resolution_and_its_address()
    {
        var policy = new PolicyFixture("", Names);
        var resolved = await policy.AskAsync("evil.example");
        resolved.Addresses.ShouldBe([System.Net.IPAddress.Parse("198.51.100.66")]);

        policy.Engine.Deny(Rule("evil.example"));
        (await policy.AskAsync("evil.example")).Code.ShouldBe(3);
        policy.Connect("198.51.100.66", 443).ShouldBe(ConnectVerdict.Deny);
        policy.Connect("198.51.100.67", 443).ShouldBe(ConnectVerdict.Allow);
    }

    [Fact(Timeout = 20_000)]
    public async Task Allow_at_runtime_adds_to_egress_and_lifts_an_equal_deny()
    {
        var policy = new PolicyFixture("network: {egress: []}", Names);
        (await policy.AskAsync("github.com")).Code.ShouldBe(3);

        var change = policy.Engine.Allow(Rule("github.com:22"));
        change.Changed.ShouldBeTrue();
        change.Description.ShouldContain("added to egress");
        (await policy.ResolveAndConnectAsync("github.com", 22)).Verdict.ShouldBe(ConnectVerdict.Allow);

        policy.Engine.Deny(Rule("github.com:22")).Changed.ShouldBeTrue();
        policy.Connect("140.82.112.3", 22).ShouldBe(ConnectVerdict.Deny);
        policy.Engine.Allow(Rule("github.com:22")).Description.ShouldContain("its deny rule removed");
        policy.Connect("140.82.112.3", 22).ShouldBe(ConnectVerdict.Allow);

        policy.Engine.Deny(Rule("github.com"));
        policy.Engine.Allow(Rule("github.com:22")).Description.ShouldContain("but deny rule github.com still wins");
        policy.Connect("140.82.112.3", 22).ShouldBe(ConnectVerdict.Deny);
    }

    [Fact]
    public void Policy_changes_are_logged()
    {
        var policy = new PolicyFixture("");
        policy.Engine.Deny(Rule("*.example.com"));
        policy.Engine.Deny(Rule("*.example.com")).Changed.ShouldBeFalse();

        var logged = policy.Log.Records.Where(r => r.Protocol == "policy").ToList();
        logged.Count.ShouldBe(2);
        logged[0].Verdict.ShouldBe("deny");
        logged[0].Reason.ShouldBe("lethe net deny *.example.com: denied from now on (connections already open stay open)");
        logged[1].Reason.ShouldContain("already denied");
    }

    [Fact]
    public void Udp_refusals_and_closes_are_logged_with_bytes()
    {
        var policy = new PolicyFixture("");
        policy.Engine.UdpRefused(new Flow(7, System.Net.IPAddress.Parse("1.1.1.1"), 443, FlowProtocol.Udp));
        policy.Engine.Closed(new Flow(8, System.Net.IPAddress.Parse("1.1.1.1"), 443, FlowProtocol.Tcp), 1200, 34000);

        var (udp, close) = (policy.Log.Records.First(), policy.Log.Records.Last());
        (udp.Protocol, udp.Verdict, udp.Address, udp.Port, udp.Flow).ShouldBe(("udp", "deny", "1.1.1.1", (int?)443, (long?)7));
        (close.Verdict, close.BytesFromGuest, close.BytesToGuest, close.Time).ShouldBe(("close", (long?)1200, (long?)34000, FixedClock.Now));
    }

    internal static Lethe.Spec.EgressRule Rule(string text)
    {
        Lethe.Spec.EgressRule.TryParse(text, out var rule, out var error).ShouldBeTrue(error);
        return rule;
    }
}
