using System.Net.Sockets;
using Lethe.Core;
using Lethe.Machine.Network;
using Lethe.Machine.Workstation;
using Lethe.Protocol;
using Lethe.Tests.Spec;

namespace Lethe.Tests.NetworkPolicy;

/// <summary>lethe net allow/deny: the request over a machine's socket and the supervisor's handling of it.</summary>
public sealed class PolicyControlTests : IDisposable
{
    private readonly TempFolder root = new();

    public void Dispose() => root.Dispose();

    [Fact]
    public void A_machine_without_network_says_so()
    {
        var reply = PolicyControl.Apply(null, new ControlMessage { Type = MessageTypes.NetAllow, Text = "github.com" }, "box");
        (reply.Type, reply.Text).ShouldBe((MessageTypes.Error, "machine box has no network (network.mode: none)"));
    }

    [Fact]
    public void A_bad_rule_is_an_error_with_its_text_made_safe()
    {
        var policy = new PolicyFixture("");
        var reply = PolicyControl.Apply(policy.Engine, new ControlMessage { Type = MessageTypes.NetDeny, Text = "\u001b[2Jx:99999" }, "box");
        reply.Type.ShouldBe(MessageTypes.Error);
        reply.Text!.ShouldNotContain("\u001b");
        policy.Engine.Rules.Deny.ShouldBeEmpty();
    }

    [Fact(Timeout = 20_000)]
    public async Task Allow_and_deny_reach_the_running_machines_policy_at_once()
    {
        var stop = TestContext.Current.CancellationToken;
        var folder = new MachineFolder(root.Path, "box");
        folder.Create();
        var policy = new PolicyFixture("network: {egress: []}", new() { ["github.com"] = ["140.82.112.3"] });
        using var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        listener.Bind(new UnixDomainSocketEndPoint(folder.Socket));
        listener.Listen(4);
        var server = Task.Run(async () =>
        {
            for (var i = 0; i < 2; i++)
            {
                using var client = await listener.AcceptAsync(stop);
                await using var stream = new NetworkStream(client, ownsSocket: false);
                using var channel = new ControlChannel(stream, stream);
                var request = (await channel.ReceiveAsync(stop))!;
                await channel.SendAsync(PolicyControl.Apply(policy.Engine, request, folder.Name), stop);
            }
        }, stop);

        var allowed = await PolicyControl.ChangeAsync(folder, allow: true, ConnectDecisionTests.Rule("GitHub.com:22"), stop);
        allowed.ShouldBe("allow github.com:22: added to egress");
        (await policy.ResolveAndConnectAsync("github.com", 22)).Verdict.ShouldBe(ConnectVerdict.Allow);

        var denied = await PolicyControl.ChangeAsync(folder, allow: false, ConnectDecisionTests.Rule("github.com"), stop);
        denied.ShouldStartWith("deny github.com: denied from now on");
        policy.Connect("140.82.112.3", 22).ShouldBe(ConnectVerdict.Deny);
        await server.WaitAsync(stop);

        policy.Log.Records.Where(r => r.Protocol == "policy").Select(r => r.Verdict).ShouldBe(["allow", "deny"]);
    }

    [Fact(Timeout = 20_000)]
    public async Task A_machine_that_is_not_running_is_one_clear_error()
    {
        var folder = new MachineFolder(root.Path, "gone");
        folder.Create();
        var error = await Should.ThrowAsync<LetheException>(() =>
            PolicyControl.ChangeAsync(folder, allow: true, ConnectDecisionTests.Rule("github.com"), TestContext.Current.CancellationToken));
        error.Message.ShouldBe("machine gone is not running (start it with: lethe up gone)");
    }
}
