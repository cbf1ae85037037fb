using Lethe.Protocol;

namespace Lethe.Tests.Agents;

/// <summary>The receiving side's bookkeeping of a session's agent streams: only asked kinds, bounded, strict.</summary>
public sealed class StreamBookTests
{
    private static StreamBook SshOnly() => new([AgentKinds.SshAgent]);

    [Fact]
    public void An_open_of_an_asked_kind_opens_and_its_data_and_close_follow()
    {
        var book = SshOnly();

        book.Decide(ControlMessage.StreamOpened(1, AgentKinds.SshAgent)).Action.ShouldBe(StreamAction.Open);
        book.KindOf(1).ShouldBe(AgentKinds.SshAgent);
        book.Decide(ControlMessage.StreamBytes(1, "x"u8)).Action.ShouldBe(StreamAction.Deliver);
        book.Decide(ControlMessage.StreamClosed(1)).Action.ShouldBe(StreamAction.Close);
        book.OpenCount.ShouldBe(0);
        book.Decide(ControlMessage.StreamBytes(1, "late"u8)).Action.ShouldBe(StreamAction.Drop);
    }

    [Fact]
    public void A_kind_the_session_did_not_ask_for_is_dropped_and_an_unknown_kind_is_named_as_unknown()
    {
        var book = SshOnly();

        var gpg = book.Decide(ControlMessage.StreamOpened(1, AgentKinds.GpgAgent));
        gpg.Action.ShouldBe(StreamAction.Drop);
        gpg.Reason!.ShouldContain("did not ask for");
        var unknown = book.Decide(ControlMessage.StreamOpened(2, "x11\u001b[2J"));
        unknown.Action.ShouldBe(StreamAction.Drop);
        unknown.Reason!.ShouldContain("unknown kind");
        unknown.Reason!.ShouldNotContain("\u001b");
        book.Decide(new ControlMessage { Type = MessageTypes.StreamOpen, Stream = 3 }).Action.ShouldBe(StreamAction.Drop);
        book.OpenCount.ShouldBe(0);
    }

    [Fact]
    public void At_most_sixteen_streams_are_open_at_once_and_a_closed_one_makes_room()
    {
        var book = SshOnly();
        for (var i = 1; i <= StreamMessages.MaxStreams; i++)
            book.Decide(ControlMessage.StreamOpened(i, AgentKinds.SshAgent)).Action.ShouldBe(StreamAction.Open);

        book.Decide(ControlMessage.StreamOpened(17, AgentKinds.SshAgent)).Action.ShouldBe(StreamAction.Refuse);
        book.KindOf(17).ShouldBeNull();
        book.Forget(3).ShouldBeTrue();
        book.Decide(ControlMessage.StreamOpened(18, AgentKinds.SshAgent)).Action.ShouldBe(StreamAction.Open);
        book.OpenCount.ShouldBe(StreamMessages.MaxStreams);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(StreamMessages.MaxStreamNumber + 1)]
    public void A_stream_number_out_of_range_is_dropped(int stream)
    {
        SshOnly().Decide(ControlMessage.StreamOpened(stream, AgentKinds.SshAgent)).Action.ShouldBe(StreamAction.Drop);
        new StreamBook([AgentKinds.SshAgent]).Decide(new ControlMessage { Type = MessageTypes.StreamClose }).Action.ShouldBe(StreamAction.Drop);
    }

    [Fact]
    public void A_second_open_of_the_same_number_and_data_over_the_cap_are_dropped()
    {
        var book = SshOnly();
        book.Decide(ControlMessage.StreamOpened(5, AgentKinds.SshAgent)).Action.ShouldBe(StreamAction.Open);

        book.Decide(ControlMessage.StreamOpened(5, AgentKinds.SshAgent)).Action.ShouldBe(StreamAction.Drop);
        book.Decide(ControlMessage.StreamBytes(5, new byte[StreamMessages.MaxDataBytes])).Action.ShouldBe(StreamAction.Deliver);
        var big = book.Decide(ControlMessage.StreamBytes(5, new byte[StreamMessages.MaxDataBytes + 1]));
        big.Action.ShouldBe(StreamAction.Drop);
        big.Reason!.ShouldContain("over");
        book.Decide(new ControlMessage { Type = MessageTypes.StreamData, Stream = 5 }).Action.ShouldBe(StreamAction.Drop);
    }

    [Fact]
    public void The_forwards_a_session_asks_for_are_known_kinds_each_once()
    {
        AgentKinds.Of(sshAgent: true, gpgAgent: true).ShouldBe([AgentKinds.SshAgent, AgentKinds.GpgAgent]);
        AgentKinds.Of(sshAgent: false, gpgAgent: true).ShouldBe([AgentKinds.GpgAgent]);
        AgentKinds.Known(["gpg-agent", "x11", "ssh-agent", "gpg-agent"]).ShouldBe([AgentKinds.SshAgent, AgentKinds.GpgAgent]);
        AgentKinds.Known(null).ShouldBeEmpty();
    }

    [Fact]
    public void Stream_messages_survive_the_wire_with_number_kind_and_bytes()
    {
        var line = ProtocolJson.Serialize(ControlMessage.StreamOpened(7, AgentKinds.GpgAgent).ForSession(3));
        var back = ControlMessages.Parse(line);
        (back.Type, back.Session, back.Stream, back.Kind).ShouldBe((MessageTypes.StreamOpen, 3, 7, AgentKinds.GpgAgent));
        ControlMessages.Parse(ProtocolJson.Serialize(ControlMessage.StreamBytes(7, [0, 255, 10]))).DataBytes().ShouldBe(new byte[] { 0, 255, 10 });
        var exec = ControlMessages.Parse(ProtocolJson.Serialize(ControlMessage.Run(new ExecRequest { Argv = ["x"], Forwards = [AgentKinds.SshAgent] }))).Exec!;
        exec.Forwards.ShouldBe([AgentKinds.SshAgent]);
    }
}
