using System.IO.Pipelines;
using System.Text;
using Lethe.Machine.Agents;
using Lethe.Machine.Run;
using Lethe.Protocol;

namespace Lethe.Tests.Agents;

/// <summary>The host end of forwarded agents (lethe run, and a client of exec/shell), against a scripted guest and a fake agent.</summary>
public sealed class AgentRelayTests
{
    private static CancellationToken Stop => TestContext.Current.CancellationToken;

    [Fact(Timeout = 20_000)]
    public async Task A_stream_of_an_asked_kind_reaches_the_host_agent_and_its_answer_comes_back_while_other_kinds_never_connect()
    {
        await using var agent = new FakeAgent();
        await using var guest = new ScriptedGuest();
        var diagnostics = new StringWriter();
        var relay = guest.StartRelay(new HostAgents(new Dictionary<string, string> { [AgentKinds.SshAgent] = agent.Path }), diagnostics);

        var exec = (await guest.ReceiveAsync()).Exec!;
        exec.Forwards.ShouldBe([AgentKinds.SshAgent]);
        await guest.SendAsync(ControlMessage.StreamOpened(1, AgentKinds.GpgAgent));
        await guest.SendAsync(ControlMessage.StreamOpened(2, "x11"));
        await guest.SendAsync(ControlMessage.StreamBytes(1, "for gpg"u8));
        await guest.SendAsync(ControlMessage.StreamOpened(3, AgentKinds.SshAgent));
        await guest.SendAsync(ControlMessage.StreamBytes(3, "ping"u8));

        var answer = await guest.ReceiveAsync();
        (answer.Type, answer.Session, answer.Stream).ShouldBe((MessageTypes.StreamData, 1, 3));
        Encoding.UTF8.GetString(answer.DataBytes()).ShouldBe("pong:ping");
        await guest.SendAsync(ControlMessage.StreamClosed(3));
        await agent.WaitUntilAsync(a => a.Ended == 1, Stop);
        await guest.SendAsync(ControlMessage.Exited(0));

        (await relay).ShouldBe(0);
        agent.Connections.ShouldBe(1);
        var log = diagnostics.ToString();
        log.ShouldContain("did not ask for");
        log.ShouldContain("unknown kind 'x11'");
        log.ShouldContain("data for stream 1, which is not open");
    }

    [Fact(Timeout = 20_000)]
    public async Task More_than_sixteen_streams_at_once_are_refused_with_a_close()
    {
        await using var agent = new FakeAgent();
        await using var guest = new ScriptedGuest();
        var relay = guest.StartRelay(new HostAgents(new Dictionary<string, string> { [AgentKinds.SshAgent] = agent.Path }), new StringWriter());
        await guest.ReceiveAsync();

        for (var i = 1; i <= StreamMessages.MaxStreams + 1; i++)
            await guest.SendAsync(ControlMessage.StreamOpened(i, AgentKinds.SshAgent));

        var refused = await guest.ReceiveAsync();
        (refused.Type, refused.Stream).ShouldBe((MessageTypes.StreamClose, StreamMessages.MaxStreams + 1));
        await agent.WaitUntilAsync(a => a.Connections == StreamMessages.MaxStreams, Stop);
        await guest.SendAsync(ControlMessage.Exited(0));
        (await relay).ShouldBe(0);
        agent.Connections.ShouldBe(StreamMessages.MaxStreams);
    }

    [Fact(Timeout = 20_000)]
    public async Task When_the_host_agent_closes_the_guest_is_told_and_an_agent_that_is_gone_closes_the_stream_at_once()
    {
        await using var agent = new FakeAgent { CloseAfterAnswer = true };
        await using var guest = new ScriptedGuest();
        var diagnostics = new StringWriter();
        var gone = Path.Combine(Path.GetTempPath(), $"lethe-no-agent-{Guid.NewGuid():N}.sock");
        var relay = guest.StartRelay(new HostAgents(new Dictionary<string, string>
        {
            [AgentKinds.SshAgent] = agent.Path,
            [AgentKinds.GpgAgent] = gone,
        }), diagnostics);
        await guest.ReceiveAsync();

        await guest.SendAsync(ControlMessage.StreamOpened(1, AgentKinds.SshAgent));
        await guest.SendAsync(ControlMessage.StreamBytes(1, "once"u8));
        (await guest.ReceiveAsync()).Type.ShouldBe(MessageTypes.StreamData);
        var closed = await guest.ReceiveAsync();
        (closed.Type, closed.Stream).ShouldBe((MessageTypes.StreamClose, 1));

        await guest.SendAsync(ControlMessage.StreamOpened(2, AgentKinds.GpgAgent));
        var refused = await guest.ReceiveAsync();
        (refused.Type, refused.Stream).ShouldBe((MessageTypes.StreamClose, 2));
        await guest.SendAsync(ControlMessage.Exited(3));
        (await relay).ShouldBe(3);
        diagnostics.ToString().ShouldContain("gpg-agent does not answer");
    }

    /// <summary>The guest's end of a channel to a <see cref="CommandRelay"/>, one message at a time.</summary>
    private sealed class ScriptedGuest : IAsyncDisposable
    {
        private readonly Pipe _toHost = new();
        private readonly Pipe _toGuest = new();
        private readonly ControlChannel _guest;
        private readonly ControlChannel _host;

        public ScriptedGuest()
        {
            _guest = new ControlChannel(_toGuest.Reader.AsStream(), _toHost.Writer.AsStream());
            _host = new ControlChannel(_toHost.Reader.AsStream(), _toGuest.Writer.AsStream());
        }

        public Task<int> StartRelay(HostAgents agents, TextWriter diagnostics) =>
            CommandRelay.RunAsync(_host, 1, new ExecRequest { Argv = ["ssh-add", "-L"] },
                new RunStreams(Stream.Null, Stream.Null, Stream.Null, diagnostics), Stop, agents: agents);

        public Task SendAsync(ControlMessage message) => _guest.SendAsync(message.ForSession(1), Stop);

        /// <summary>The next message but the input pump's (stdin is empty here).</summary>
        public async Task<ControlMessage> ReceiveAsync()
        {
            while (true)
            {
                var message = (await _guest.ReceiveAsync(Stop)).ShouldNotBeNull();
                if (message.Type is not (MessageTypes.Stdin or MessageTypes.StdinClosed))
                    return message;
            }
        }

        public async ValueTask DisposeAsync()
        {
            await _toHost.Writer.CompleteAsync();
            await _toGuest.Writer.CompleteAsync();
            _guest.Dispose();
            _host.Dispose();
        }
    }
}
