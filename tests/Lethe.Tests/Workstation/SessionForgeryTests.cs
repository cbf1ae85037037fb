using System.Text;
using Lethe.Machine.Workstation;
using Lethe.Protocol;

namespace Lethe.Tests.Workstation;

/// <summary>A hostile guest cannot reach a session that is not open, or speak for it in a way a session cannot.</summary>
public sealed class SessionForgeryTests
{
    [Theory(Timeout = 10_000)]
    [InlineData(MessageTypes.Ready)]
    [InlineData(MessageTypes.Exec)]
    [InlineData(MessageTypes.Stdin)]
    [InlineData(MessageTypes.Signal)]
    [InlineData(MessageTypes.PowerOff)]
    [InlineData(MessageTypes.Reboot)]
    [InlineData("boot")]
    public async Task A_message_type_a_session_cannot_send_is_not_forwarded_to_its_client(string type)
    {
        var router = new SessionRouter();
        var (client, output) = Client();
        var session = router.Open(client);

        await router.RouteAsync(new ControlMessage { Type = type, Session = session, Code = 0, Text = "forged", Exec = new ExecRequest { Argv = ["x"] } });

        Lines(output).ShouldBeEmpty();
        router.IsOpen(session).ShouldBeTrue();
    }

    [Fact(Timeout = 10_000)]
    public async Task Messages_for_a_session_that_is_not_open_or_has_finished_are_dropped_and_a_second_exit_is_ignored()
    {
        var router = new SessionRouter();
        var (a, aOut) = Client();
        var (b, bOut) = Client();
        var sa = router.Open(a);
        var sb = router.Open(b);

        await router.RouteAsync(ControlMessage.Output(MessageTypes.Stdout, "to nobody"u8).ForSession(sb + 100));
        await router.RouteAsync(ControlMessage.Exited(0).ForSession(0));
        await router.RouteAsync(ControlMessage.Exited(4).ForSession(sa));
        await router.RouteAsync(ControlMessage.Exited(5).ForSession(sa));
        await router.RouteAsync(ControlMessage.Output(MessageTypes.Stdout, "late"u8).ForSession(sa));

        Lines(aOut).Select(m => (m.Type, m.Code)).ShouldBe([(MessageTypes.Exit, (int?)4)]);
        Lines(bOut).ShouldBeEmpty();
        router.IsOpen(sb).ShouldBeTrue();
    }

    [Fact(Timeout = 10_000)]
    public async Task A_guest_that_sends_an_oversized_line_loses_its_channel_with_one_logged_line_after_what_came_before()
    {
        var log = new StringWriter();
        var router = new SessionRouter(log);
        var (client, output) = Client();
        var session = router.Open(client);
        var text = ProtocolJson.Serialize(ControlMessage.Output(MessageTypes.Stdout, "before"u8).ForSession(session)) + "\n"
            + "{\"type\":\"stdout\",\"data\":\"" + new string('A', ControlChannel.DefaultMaxMessageBytes) + "\"}\n"
            + ProtocolJson.Serialize(ControlMessage.Exited(0).ForSession(session)) + "\n";
        using var guest = new ControlChannel(new MemoryStream(Encoding.UTF8.GetBytes(text)), Stream.Null);

        (await router.RouteAllAsync(guest)).ShouldBeFalse();

        Lines(output).Select(m => m.Type).ShouldBe([MessageTypes.Stdout]);
        log.ToString().ShouldBe("lethe: the guest broke the control channel: a control message is longer than 1 MiB; powering the machine off" + Environment.NewLine);
        router.IsOpen(session).ShouldBeTrue("the supervisor ends it when it powers the machine off");
    }

    [Fact(Timeout = 10_000)]
    public async Task A_guest_channel_that_simply_ends_is_not_a_protocol_failure()
    {
        var router = new SessionRouter();
        using var guest = new ControlChannel(new MemoryStream(), Stream.Null);
        (await router.RouteAllAsync(guest)).ShouldBeTrue();
    }

    private static (ControlChannel Channel, MemoryStream Output) Client()
    {
        var output = new MemoryStream();
        return (new ControlChannel(Stream.Null, output), output);
    }

    private static IReadOnlyList<ControlMessage> Lines(MemoryStream output) =>
        Encoding.UTF8.GetString(output.ToArray()).Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => ControlChannel.TryParse(l)!).ToList();
}
