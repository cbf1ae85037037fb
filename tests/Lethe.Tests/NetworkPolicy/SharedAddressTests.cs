using System.Net;
using Lethe.Machine.Network;

namespace Lethe.Tests.NetworkPolicy;

/// <summary>Several names on one address (a CDN): the connection counts as each of them, and a deny of one is enforced by name.</summary>
public sealed class SharedAddressTests
{
    private static readonly Dictionary<string, string[]> Names = new()
    {
        ["good.example"] = ["198.51.100.10"],
        ["evil.example"] = ["198.51.100.10"],
    };

    [Fact(Timeout = 20_000)]
    public async Task In_open_mode_a_denied_name_sharing_an_address_is_checked_by_sni()
    {
        var policy = new PolicyFixture("", Names);
        await policy.AskAsync("evil.example");
        await policy.AskAsync("good.example");
        policy.Engine.Deny(ConnectDecisionTests.Rule("evil.example"));

        policy.Connect("198.51.100.10", 443).ShouldBe(ConnectVerdict.Inspect);
        policy.Connect("198.51.100.10", 8443).ShouldBe(ConnectVerdict.Allow);
        Inspect(policy, await ClientHellos.CaptureAsync("evil.example")).ShouldBe(InspectVerdict.Deny);
        Inspect(policy, await ClientHellos.CaptureAsync("good.example")).ShouldBe(InspectVerdict.Allow);
        Inspect(policy, await ClientHellos.CaptureAsync("unresolved.example")).ShouldBe(InspectVerdict.Deny);
    }

    [Fact(Timeout = 20_000)]
    public async Task In_list_mode_only_the_allowed_name_passes_on_the_shared_address()
    {
        var policy = new PolicyFixture("network: {egress: [good.example]}", Names);
        await policy.AskAsync("good.example");
        (await policy.AskAsync("evil.example")).Code.ShouldBe(3);

        policy.Connect("198.51.100.10", 443).ShouldBe(ConnectVerdict.Inspect);
        Inspect(policy, "GET / HTTP/1.1\r\nHost: evil.example\r\n\r\n"u8.ToArray()).ShouldBe(InspectVerdict.Deny);
        Inspect(policy, "GET / HTTP/1.1\r\nHost: good.example\r\n\r\n"u8.ToArray()).ShouldBe(InspectVerdict.Allow);
    }

    [Fact]
    public void An_ipv4_mapped_destination_is_decided_as_its_ipv4_address()
    {
        var policy = new PolicyFixture("");
        policy.Engine.DecideConnect(new Flow(1, IPAddress.Parse("::ffff:127.0.0.1"), 80, FlowProtocol.Tcp)).Verdict.ShouldBe(ConnectVerdict.Deny);
        policy.Engine.DecideConnect(new Flow(2, IPAddress.Parse("::ffff:1.1.1.1"), 80, FlowProtocol.Tcp)).Verdict.ShouldBe(ConnectVerdict.Allow);
    }

    [Fact(Timeout = 30_000)]
    public async Task Decisions_and_changes_from_many_threads_at_once_stay_consistent()
    {
        var names = Enumerable.Range(0, 200).ToDictionary(i => $"n{i}.example", i => new[] { $"198.51.100.{i % 250 + 1}" });
        var policy = new PolicyFixture("network: {egress: [\"*.example:22\"]}", names);
        var stop = TestContext.Current.CancellationToken;
        var workers = Enumerable.Range(0, 8).Select(worker => Task.Run(async () =>
        {
            for (var i = 0; i < 200; i++)
            {
                var name = $"n{(i * 7 + worker) % 200}.example";
                await policy.AskAsync(name);
                policy.Engine.DecideConnect(policy.Tcp($"198.51.100.{(i * 7 + worker) % 200 % 250 + 1}", 22));
                if (i % 50 == worker)
                    policy.Engine.Deny(ConnectDecisionTests.Rule($"n{i}.example"));
            }
        }, stop)).ToList();
        await Task.WhenAll(workers).WaitAsync(stop);

        policy.Log.Records.Count(r => r.Protocol == "dns").ShouldBe(1600);
        policy.Log.Records.Count(r => r.Protocol == "tcp").ShouldBe(1600);
        policy.Engine.Rules.Deny.Count.ShouldBeGreaterThan(0);
    }

    private static InspectVerdict Inspect(PolicyFixture policy, byte[] bytes) =>
        policy.Engine.DecideFirstBytes(policy.Tcp("198.51.100.10", 443), bytes).Verdict;
}
