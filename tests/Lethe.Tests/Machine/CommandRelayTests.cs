using System.Text;
using Lethe.Machine.Run;
using Lethe.Protocol;

namespace Lethe.Tests.Machine;

/// <summary>lethe run's side of the channel, against a scripted guest.</summary>
public sealed class CommandRelayTests
{
    [Fact(Timeout = 10_000)]
    public async Task Only_the_first_exit_of_the_relays_own_session_counts_and_nothing_else_reaches_its_streams()
    {
        var guest = Guest(
            ControlMessage.Output(MessageTypes.Stdout, "forged"u8).ForSession(2),
            ControlMessage.Exited(9).ForSession(2),
            ControlMessage.Ready([]),
            ControlMessage.Output(MessageTypes.Stdout, "real"u8).ForSession(1),
            ControlMessage.Exited(0).ForSession(1),
            ControlMessage.Exited(5).ForSession(1));
        var (streams, stdout, stderr, diagnostics) = Streams();

        var code = await CommandRelay.RunAsync(new ControlChannel(guest, new MemoryStream()), 1, new ExecRequest { Argv = ["true"] }, streams, TestContext.Current.CancellationToken);

        code.ShouldBe(0);
        Encoding.UTF8.GetString(stdout.ToArray()).ShouldBe("real");
        stderr.Length.ShouldBe(0);
        diagnostics.ToString().ShouldBeEmpty();
    }

    [Fact(Timeout = 10_000)]
    public async Task A_guest_error_reaches_the_terminal_without_escape_sequences_while_output_stays_byte_exact()
    {
        var escapes = "\u001b]0;pwned\u0007\u001b[2J";
        var guest = Guest(
            ControlMessage.Failure("cannot start " + escapes + "\nlethe: forged").ForSession(1),
            ControlMessage.Output(MessageTypes.Stdout, Encoding.UTF8.GetBytes(escapes)).ForSession(1),
            ControlMessage.Exited(127).ForSession(1));
        var (streams, stdout, _, diagnostics) = Streams();

        var code = await CommandRelay.RunAsync(new ControlChannel(guest, new MemoryStream()), 1, new ExecRequest { Argv = ["x"] }, streams, TestContext.Current.CancellationToken);

        code.ShouldBe(127);
        diagnostics.ToString().ShouldContain("cannot start");
        diagnostics.ToString().ShouldNotContain("\u001b");
        diagnostics.ToString().ShouldNotContain("\u0007");
        diagnostics.ToString().Split('\n').Count(l => l.StartsWith("lethe:", StringComparison.Ordinal)).ShouldBe(1);
        Encoding.UTF8.GetString(stdout.ToArray()).ShouldBe(escapes);
    }

    [Fact(Timeout = 10_000)]
    public async Task A_command_line_over_the_channel_limit_is_refused_before_anything_is_sent()
    {
        var sent = new MemoryStream();
        var huge = new ExecRequest { Argv = ["echo", new string('x', ControlChannel.DefaultMaxMessageBytes)] };

        var error = await Should.ThrowAsync<Lethe.Core.UsageException>(() => CommandRelay.RunAsync(
            new ControlChannel(new MemoryStream(), sent), 1, huge, Streams().Item1, TestContext.Current.CancellationToken));

        error.Message.ShouldContain("too long");
        sent.Length.ShouldBe(0);
    }

    [Fact(Timeout = 10_000)]
    public async Task Terminal_sizes_go_to_the_guest_as_resize_messages_of_the_relays_session()
    {
        using var toRelay = new System.IO.Pipes.AnonymousPipeServerStream(System.IO.Pipes.PipeDirection.Out);
        using var fromGuest = new System.IO.Pipes.AnonymousPipeClientStream(System.IO.Pipes.PipeDirection.In, toRelay.ClientSafePipeHandle);
        var sent = new SignalingStream();
        var resizes = new TerminalResizes();
        var (streams, _, _, _) = Streams();
        var relay = CommandRelay.RunAsync(new ControlChannel(fromGuest, sent), 3, new ExecRequest { Argv = [], Tty = true }, streams, TestContext.Current.CancellationToken, resizes);

        resizes.Post(50, 132);
        var resize = await sent.WaitForAsync(MessageTypes.Resize, TestContext.Current.CancellationToken);
        await toRelay.WriteAsync(Encoding.UTF8.GetBytes(ProtocolJson.Serialize(ControlMessage.Exited(0).ForSession(3)) + "\n"), TestContext.Current.CancellationToken);

        (await relay).ShouldBe(0);
        (resize.Session, resize.Rows, resize.Columns).ShouldBe((3, (int?)50, (int?)132));
    }

    /// <summary>Collects what the relay sends and lets a test wait for a message type.</summary>
    private sealed class SignalingStream : MemoryStream
    {
        private readonly SemaphoreSlim _written = new(0);

        public override void Write(byte[] buffer, int offset, int count)
        {
            lock (this)
                base.Write(buffer, offset, count);
            _written.Release();
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        {
            Write(buffer, offset, count);
            return Task.CompletedTask;
        }

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            Write(buffer.ToArray(), 0, buffer.Length);
            return ValueTask.CompletedTask;
        }

        public async Task<ControlMessage> WaitForAsync(string type, CancellationToken stop)
        {
            while (true)
            {
                string text;
                lock (this)
                    text = Encoding.UTF8.GetString(ToArray());
                if (text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => ControlChannel.TryParse(l)!).FirstOrDefault(m => m.Type == type) is { } found)
                    return found;
                await _written.WaitAsync(stop);
            }
        }
    }

    private static MemoryStream Guest(params ControlMessage[] messages) =>
        new(Encoding.UTF8.GetBytes(string.Concat(messages.Select(m => ProtocolJson.Serialize(m) + "\n"))));

    private static (RunStreams, MemoryStream, MemoryStream, StringWriter) Streams()
    {
        var stdout = new MemoryStream();
        var stderr = new MemoryStream();
        var diagnostics = new StringWriter();
        return (new RunStreams(Stream.Null, stdout, stderr, diagnostics), stdout, stderr, diagnostics);
    }
}
