using System.Net;
using Lethe.Machine.Network.Dns;
using Lethe.Protocol;

namespace Lethe.Tests.NetworkPolicy;

/// <summary>What the guest's resolver is told: NXDOMAIN without asking the host for names not allowed, rebinding dropped.</summary>
public sealed class DnsAnswerTests
{
    private static readonly Dictionary<string, string[]> Names = new()
    {
        ["github.com"] = ["140.82.112.3", "140.82.112.4"],
        ["rebind.example"] = ["10.0.0.5"],
        ["metadata.example"] = ["169.254.169.254"],
        ["mixed.example"] = ["127.0.0.1", "1.2.3.4"],
        ["loopback.test"] = ["127.0.0.1"],
        ["other-loopback.test"] = ["127.0.0.2"],
        ["host.example"] = ["192.0.2.10"],
    };

    [Fact(Timeout = 20_000)]
    public async Task A_name_not_allowed_gets_nxdomain_and_never_reaches_the_hosts_resolver()
    {
        var policy = new PolicyFixture("network: {egress: [github.com]}", Names);
        var answer = await policy.AskAsync("exfiltrate-secret-data.evil.example");

        answer.Code.ShouldBe(DnsResponse.NameError);
        answer.QuestionName.ShouldBe("exfiltrate-secret-data.evil.example");
        policy.Resolver.Asked.ShouldBeEmpty();
        var logged = policy.Log.Records.ShouldHaveSingleItem();
        (logged.Protocol, logged.Verdict, logged.Names.Single(), logged.Reason)
            .ShouldBe(("dns", "nxdomain", "exfiltrate-secret-data.evil.example", "no egress rule names it; not resolved"));
    }

    [Fact(Timeout = 20_000)]
    public async Task An_allowed_name_is_resolved_by_the_host_with_a_short_ttl_and_bound()
    {
        var policy = new PolicyFixture("network: {egress: [GitHub.com]}", Names);
        var answer = await policy.AskAsync("GITHUB.com.");

        answer.Code.ShouldBe(DnsResponse.NoError);
        answer.Addresses.ShouldBe([IPAddress.Parse("140.82.112.3"), IPAddress.Parse("140.82.112.4")]);
        answer.Ttl.ShouldBe(Lethe.Machine.Network.Policy.PolicyEngine.AnswerTtlSeconds);
        policy.Resolver.Asked.ShouldBe(["github.com"]);
        policy.Log.Records.Last().Address.ShouldBe("140.82.112.3 140.82.112.4");
        policy.Connect("140.82.112.4", 443).ShouldBe(Lethe.Machine.Network.ConnectVerdict.Inspect);
    }

    [Theory(Timeout = 20_000)]
    [InlineData("rebind.example")]
    [InlineData("metadata.example")]
    [InlineData("host.example")]
    [InlineData("loopback.test")]
    public async Task An_allowed_name_resolving_into_a_denied_range_is_refused(string name)
    {
        var policy = new PolicyFixture("", Names);
        var answer = await policy.AskAsync(name);

        answer.Code.ShouldBe(DnsResponse.Refused);
        answer.Addresses.ShouldBeEmpty();
        policy.Log.Records.Last().Reason.ShouldContain("rebinding");
    }

    [Fact(Timeout = 20_000)]
    public async Task Rebinding_answers_are_dropped_and_the_rest_kept()
    {
        var policy = new PolicyFixture("", Names);
        var answer = await policy.AskAsync("mixed.example");
        answer.Addresses.ShouldBe([IPAddress.Parse("1.2.3.4")]);
        policy.Log.Records.Last().Reason.ShouldContain("dropped: 127.0.0.1 is the host's loopback");
        policy.Connect("127.0.0.1", 80).ShouldBe(Lethe.Machine.Network.ConnectVerdict.Deny);
    }

    [Fact(Timeout = 20_000)]
    public async Task The_hosts_loopback_allowed_becomes_the_gateway_address_and_no_other_loopback_address_passes()
    {
        var policy = new PolicyFixture("network: {egress: [loopback.test, other-loopback.test], allow: [127.0.0.0/8]}", Names);
        (await policy.AskAsync("loopback.test")).Addresses.ShouldBe([NetworkLayout.Gateway]);
        (await policy.AskAsync("other-loopback.test")).Code.ShouldBe(DnsResponse.Refused);
    }

    [Fact(Timeout = 20_000)]
    public async Task Aaaa_is_empty_for_allowed_names_and_nxdomain_for_others()
    {
        var policy = new PolicyFixture("network: {egress: [github.com]}", Names);
        var allowed = await policy.AskAsync("github.com", DnsQuery.TypeAaaa);
        (allowed.Code, allowed.Addresses.Count).ShouldBe((0, 0));
        (await policy.AskAsync("gitlab.com", DnsQuery.TypeAaaa)).Code.ShouldBe(DnsResponse.NameError);
        (await policy.AskAsync("gitlab.com", 16)).Code.ShouldBe(DnsResponse.NameError);
        (await policy.AskAsync("github.com", 16)).Code.ShouldBe(DnsResponse.NoError);
        policy.Resolver.Asked.ShouldBeEmpty();
    }

    [Fact(Timeout = 20_000)]
    public async Task Open_mode_resolves_every_name_but_not_what_is_no_host_name()
    {
        var policy = new PolicyFixture("", Names);
        (await policy.AskAsync("github.com")).Addresses.Count.ShouldBe(2);
        (await policy.AskAsync("unknown.example")).Code.ShouldBe(DnsResponse.NameError);
        (await policy.AskAsync("127.1")).Code.ShouldBe(DnsResponse.NameError);
        (await policy.AskAsync("bad\u001b[31m.example")).Code.ShouldBe(DnsResponse.NameError);
        policy.Resolver.Asked.ShouldBe(["github.com", "unknown.example"]);
    }

    [Fact(Timeout = 20_000)]
    public async Task A_failing_host_resolver_is_servfail_and_malformed_queries_formerr()
    {
        var spec = Lethe.Tests.Spec.SpecAssert.Valid("").Network;
        var log = new ListSink();
        var engine = Lethe.Machine.Network.Policy.PolicyEngine.Create(spec,
            new Lethe.Machine.Network.Policy.PolicyHost(new FailingResolver(), [], new FixedClock(), log));
        var stop = TestContext.Current.CancellationToken;

        DnsAnswer.Read((await engine.AnswerDnsAsync(DnsPackets.Query("github.com"), stop))!).Code.ShouldBe(DnsResponse.ServerFailure);
        DnsAnswer.Read((await engine.AnswerDnsAsync(DnsPackets.Raw(0xC0, 12, 0, 1, 0, 1), stop))!).Code.ShouldBe(DnsResponse.FormatError);
        (await engine.AnswerDnsAsync(new byte[5], stop)).ShouldBeNull();
        log.Records.Select(r => r.Verdict).ShouldBe(["servfail", "formerr", "drop"]);
    }

    [Fact]
    public void The_hosts_override_file_is_read_like_etc_hosts()
    {
        var hosts = HostsFileResolver.Parse("# tests\n127.0.0.1 Allowed.Test mirror.test\n127.0.0.2\tother.test # comment\n::1 six.test\nnonsense\n");
        hosts.Keys.Order().ShouldBe(["allowed.test", "mirror.test", "other.test"]);
        hosts["other.test"].ShouldBe([IPAddress.Parse("127.0.0.2")]);
    }

    [Fact(Timeout = 20_000)]
    public async Task The_hosts_override_answers_first_and_falls_back_to_the_host()
    {
        var fallback = new FakeResolver(new() { ["github.com"] = ["140.82.112.3"] });
        var resolver = new HostsFileResolver(HostsFileResolver.Parse("127.0.0.1 allowed.test\n"), fallback);
        var stop = TestContext.Current.CancellationToken;
        (await resolver.ResolveAsync("allowed.test", stop)).ShouldBe([IPAddress.Loopback]);
        (await resolver.ResolveAsync("github.com", stop)).ShouldBe([IPAddress.Parse("140.82.112.3")]);
        fallback.Asked.ShouldBe(["github.com"]);
    }

    private sealed class FailingResolver : INameResolver
    {
        public Task<IReadOnlyList<IPAddress>> ResolveAsync(string name, CancellationToken cancellationToken) =>
            throw new System.Net.Sockets.SocketException((int)System.Net.Sockets.SocketError.TryAgain);
    }
}
