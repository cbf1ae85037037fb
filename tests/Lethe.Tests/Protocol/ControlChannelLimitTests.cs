using System.IO.Pipes;
using System.Text;
using Lethe.Protocol;

namespace Lethe.Tests.Protocol;

/// <summary>What a hostile guest (or socket client) can send: lines without end, garbage, forged payloads.</summary>
public sealed class ControlChannelLimitTests
{
    private const int MiB = 1024 * 1024;

    [Fact(Timeout = 30_000)]
    public async Task A_line_longer_than_the_cap_ends_the_channel_with_one_clear_error_and_is_never_held_whole()
    {
        using var source = new EndlessLine(maxBytes: 64L * MiB);
        using var channel = new ControlChannel(source, Stream.Null);

        var error = await Should.ThrowAsync<IOException>(() => channel.ReceiveAsync(TestContext.Current.CancellationToken));

        error.Message.ShouldContain("1 MiB");
        source.BytesRead.ShouldBeLessThanOrEqualTo(MiB + 64 * 1024);
    }

    [Fact(Timeout = 30_000)]
    public async Task An_oversized_line_through_a_real_pipe_ends_the_channel_and_later_reads_fail_too()
    {
        using var server = new AnonymousPipeServerStream(PipeDirection.Out);
        using var client = new AnonymousPipeClientStream(PipeDirection.In, server.ClientSafePipeHandle);
        using var channel = new ControlChannel(client, Stream.Null);
        var writing = Task.Run(async () =>
        {
            try
            {
                var line = Encoding.UTF8.GetBytes("{\"type\":\"stdout\",\"session\":1,\"data\":\"" + new string('A', 2 * MiB) + "\"}\n");
                await server.WriteAsync(line, TestContext.Current.CancellationToken);
                await server.WriteAsync(Encoding.UTF8.GetBytes(ProtocolJson.Serialize(ControlMessage.Exited(0)) + "\n"), TestContext.Current.CancellationToken);
            }
            catch (IOException)
            {
                // The reader gave up on the channel and the pipe closed under us: expected.
            }
        }, TestContext.Current.CancellationToken);

        await Should.ThrowAsync<IOException>(() => channel.ReceiveAsync(TestContext.Current.CancellationToken));
        await Should.ThrowAsync<IOException>(() => channel.ReceiveAsync(TestContext.Current.CancellationToken));
        client.Dispose();
        server.Dispose();
        await writing;
    }

    [Fact(Timeout = 10_000)]
    public async Task A_message_just_under_the_cap_is_accepted()
    {
        var payload = new byte[700 * 1024];
        new Random(7).NextBytes(payload);
        var line = ProtocolJson.Serialize(ControlMessage.Output(MessageTypes.Stdout, payload).ForSession(1)) + "\n";
        using var channel = new ControlChannel(new MemoryStream(Encoding.UTF8.GetBytes(line)), Stream.Null);

        (await channel.ReceiveAsync(TestContext.Current.CancellationToken))!.DataBytes().ShouldBe(payload);
    }

    [Theory(Timeout = 10_000)]
    [InlineData("{not json")]
    [InlineData("kernel noise")]
    [InlineData("{\"session\":1}")]
    [InlineData("{\"type\":\"stdout\",\"session\":1,\"data\":\"%%%not base64\"}")]
    [InlineData("{\"type\":\"exit\",\"session\":1,\"code\":99999999999999}")]
    public async Task A_malformed_line_ends_the_channel_with_one_clear_error(string garbage)
    {
        var text = garbage + "\n" + ProtocolJson.Serialize(ControlMessage.Exited(3)) + "\n";
        using var channel = new ControlChannel(new MemoryStream(Encoding.UTF8.GetBytes(text)), Stream.Null);

        var error = await Should.ThrowAsync<IOException>(() => channel.ReceiveAsync(TestContext.Current.CancellationToken));
        error.Message.ShouldContain("control message is malformed");
        error.Message.ShouldNotContain("\n");
    }

    [Fact(Timeout = 10_000)]
    public async Task Garbage_through_a_real_pipe_ends_the_channel()
    {
        using var server = new AnonymousPipeServerStream(PipeDirection.Out);
        using var client = new AnonymousPipeClientStream(PipeDirection.In, server.ClientSafePipeHandle);
        using var channel = new ControlChannel(client, Stream.Null);
        await server.WriteAsync("{\"type\":\"exit\",\"code\":[[[[[[\n"u8.ToArray(), TestContext.Current.CancellationToken);
        server.Dispose();

        await Should.ThrowAsync<IOException>(() => channel.ReceiveAsync(TestContext.Current.CancellationToken));
    }

    [Fact(Timeout = 10_000)]
    public async Task Text_meant_for_people_arrives_without_control_characters()
    {
        var hostile = "\u001b]0;pwned\u0007\u001b[2J\rscratch\u009b31m gone\nlethe: forged";
        var ready = ControlMessage.Ready([new BootPhase("kernel\u001b[2J", 1)]) with { Warnings = [hostile] };
        var text = ProtocolJson.Serialize(ready) + "\n" + ProtocolJson.Serialize(ControlMessage.Failure(hostile).ForSession(1)) + "\n";
        using var channel = new ControlChannel(new MemoryStream(Encoding.UTF8.GetBytes(text)), Stream.Null);

        var received = await channel.ReceiveAsync(TestContext.Current.CancellationToken);
        var failure = await channel.ReceiveAsync(TestContext.Current.CancellationToken);

        foreach (var shown in new[] { received!.Warnings![0], received.Timeline![0].Name, failure!.Text! })
        {
            shown.ShouldNotContain("\u001b");
            shown.ShouldNotContain("\u0007");
            shown.ShouldNotContain("\r");
            shown.ShouldNotContain("\u009b");
        }
        received.Warnings[0].ShouldNotContain("\n");
        failure.Text!.ShouldContain("pwned");
    }

    [Fact(Timeout = 10_000)]
    public async Task The_command_itself_stays_byte_exact()
    {
        var argv = new[] { "printf", "\u001b[31m\r\n\u0007" };
        var text = ProtocolJson.Serialize(ControlMessage.Run(new ExecRequest { Argv = argv })) + "\n";
        using var channel = new ControlChannel(new MemoryStream(Encoding.UTF8.GetBytes(text)), Stream.Null);

        (await channel.ReceiveAsync(TestContext.Current.CancellationToken))!.Exec!.Argv.ShouldBe(argv);
    }

    /// <summary>A guest that writes one line forever, without a newline.</summary>
    private sealed class EndlessLine(long maxBytes) : Stream
    {
        public long BytesRead { get; private set; }
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => BytesRead; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override int Read(byte[] buffer, int offset, int count)
        {
            var n = (int)Math.Min(count, maxBytes - BytesRead);
            buffer.AsSpan(offset, n).Fill((byte)'a');
            if (BytesRead == 0 && n > 0)
                buffer[offset] = (byte)'{';
            BytesRead += n;
            return n;
        }
    }
}
