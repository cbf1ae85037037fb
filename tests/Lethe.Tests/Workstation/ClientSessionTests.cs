using System.Text;
using Lethe.Machine.Workstation;
using Lethe.Protocol;

namespace Lethe.Tests.Workstation;

/// <summary>A supervisor's socket clients: each reaches its own command and no other.</summary>
public sealed class ClientSessionTests
{
    [Fact(Timeout = 10_000)]
    public async Task A_client_that_sends_stdin_or_a_signal_for_another_clients_session_changes_nothing_there_and_is_logged()
    {
        var log = new StringWriter();
        var router = new SessionRouter(log);
        var guestOut = new MemoryStream();
        var guest = new ControlChannel(Stream.Null, guestOut);
        var victim = router.Open(new ControlChannel(Stream.Null, new MemoryStream()));
        var attacker = Client(
            ControlMessage.Input("rm -rf ~\n"u8).ForSession(victim),
            ControlMessage.Kill(9).ForSession(victim),
            ControlMessage.Resized(1, 1).ForSession(victim),
            ControlMessage.Exited(0).ForSession(0),
            ControlMessage.Input("mine\n"u8).ForSession(0),
            ControlMessage.Resized(30, 100).ForSession(0));

        await router.RelayClientAsync(attacker, new ExecRequest { Argv = ["cat"] }, guest, TestContext.Current.CancellationToken);

        var sent = Lines(guestOut);
        sent.ShouldNotContain(m => m.Session == victim);
        sent.Select(m => m.Type).ShouldBe([MessageTypes.Exec, MessageTypes.Stdin, MessageTypes.Resize, MessageTypes.Signal]);
        sent.Skip(1).ShouldAllBe(m => m.Session == sent[0].Session);
        sent[1].DataBytes().ShouldBe("mine\n"u8.ToArray());
        (sent[2].Rows, sent[2].Columns).ShouldBe((30, 100));
        sent[3].Code.ShouldBe(9, "the client left while its command ran: the command is killed");
        router.IsOpen(victim).ShouldBeTrue();
        log.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Length.ShouldBe(4, log.ToString());
        log.ToString().ShouldContain($"for session {victim}");
    }

    [Fact(Timeout = 10_000)]
    public async Task A_guest_message_for_a_session_never_opened_is_logged_once_per_message_and_logging_is_bounded()
    {
        var log = new StringWriter();
        var router = new SessionRouter(log);
        router.Open(new ControlChannel(Stream.Null, new MemoryStream()));

        for (var i = 0; i < 500; i++)
            await router.RouteAsync(ControlMessage.Output(MessageTypes.Stdout, "x"u8).ForSession(1000 + i));

        var lines = log.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        lines.Length.ShouldBe(21);
        lines[0].ShouldContain("never opened");
    }

    [Fact(Timeout = 10_000)]
    public async Task Output_after_a_client_left_is_dropped_quietly()
    {
        var log = new StringWriter();
        var router = new SessionRouter(log);
        var session = router.Open(new ControlChannel(Stream.Null, new MemoryStream()));
        router.Close(session);

        await router.RouteAsync(ControlMessage.Output(MessageTypes.Stdout, "late"u8).ForSession(session));
        await router.RouteAsync(ControlMessage.Exited(137).ForSession(session));

        log.ToString().ShouldBeEmpty();
    }

    private static ControlChannel Client(params ControlMessage[] messages) => new(
        new MemoryStream(Encoding.UTF8.GetBytes(string.Concat(messages.Select(m => ProtocolJson.Serialize(m) + "\n")))),
        new MemoryStream());

    private static List<ControlMessage> Lines(MemoryStream output) =>
        Encoding.UTF8.GetString(output.ToArray()).Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => ControlChannel.TryParse(l)!).ToList();
}
