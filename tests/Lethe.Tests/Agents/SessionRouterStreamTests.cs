using System.Text;
using Lethe.Machine.Workstation;
using Lethe.Protocol;

namespace Lethe.Tests.Agents;

/// <summary>A supervisor passes agent streams between the guest and the one client whose session asked for them.</summary>
public sealed class SessionRouterStreamTests
{
    [Fact(Timeout = 10_000)]
    public async Task A_guest_stream_of_an_asked_kind_reaches_the_sessions_client_and_other_kinds_or_sessions_without_forwards_do_not()
    {
        var log = new StringWriter();
        var router = new SessionRouter(log);
        var withAgent = new MemoryStream();
        var without = new MemoryStream();
        var forwarding = router.Open(new ControlChannel(Stream.Null, withAgent), [AgentKinds.SshAgent]);
        var plain = router.Open(new ControlChannel(Stream.Null, without));

        await router.RouteAsync(ControlMessage.StreamOpened(1, AgentKinds.SshAgent).ForSession(forwarding));
        await router.RouteAsync(ControlMessage.StreamBytes(1, "req"u8).ForSession(forwarding));
        await router.RouteAsync(ControlMessage.StreamOpened(2, AgentKinds.GpgAgent).ForSession(forwarding));
        await router.RouteAsync(ControlMessage.StreamOpened(3, "x11").ForSession(forwarding));
        await router.RouteAsync(ControlMessage.StreamBytes(4, new byte[StreamMessages.MaxDataBytes + 1]).ForSession(forwarding));
        await router.RouteAsync(ControlMessage.StreamOpened(1, AgentKinds.SshAgent).ForSession(plain));

        var passed = Lines(withAgent);
        passed.Select(m => (m.Type, m.Session, m.Stream)).ShouldBe(
            [(MessageTypes.StreamOpen, SessionMessages.ClientSession, 1), (MessageTypes.StreamData, SessionMessages.ClientSession, 1)]);
        Lines(without).ShouldBeEmpty();
        var lines = log.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        lines.Length.ShouldBe(4, log.ToString());
        log.ToString().ShouldContain("did not ask for 'gpg-agent'");
        log.ToString().ShouldContain("forwards no agent");
    }

    [Fact(Timeout = 10_000)]
    public async Task A_client_passes_data_and_closes_of_its_own_streams_but_cannot_open_one()
    {
        var log = new StringWriter();
        var router = new SessionRouter(log);
        var guestOut = new MemoryStream();
        var client = Client(
            ControlMessage.StreamOpened(1, AgentKinds.SshAgent),
            ControlMessage.StreamBytes(1, "answer"u8),
            ControlMessage.StreamClosed(1),
            ControlMessage.StreamBytes(0, "bad number"u8));

        await router.RelayClientAsync(client, new ExecRequest { Argv = ["ssh-add", "-L"], Forwards = [AgentKinds.SshAgent] },
            new ControlChannel(Stream.Null, guestOut), TestContext.Current.CancellationToken);

        var sent = Lines(guestOut);
        sent.Select(m => m.Type).ShouldBe([MessageTypes.Exec, MessageTypes.StreamData, MessageTypes.StreamClose, MessageTypes.Signal]);
        sent.ShouldAllBe(m => m.Session == sent[0].Session && m.Session != SessionMessages.ClientSession);
        sent[1].DataBytes().ShouldBe("answer"u8.ToArray());
        log.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Length.ShouldBe(2, log.ToString());
    }

    private static ControlChannel Client(params ControlMessage[] messages) =>
        new(new MemoryStream(Encoding.UTF8.GetBytes(string.Concat(messages.Select(m => ProtocolJson.Serialize(m) + "\n")))), Stream.Null);

    private static List<ControlMessage> Lines(MemoryStream written) =>
        Encoding.UTF8.GetString(written.ToArray()).Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => ControlChannel.TryParse(l)!).ToList();
}
