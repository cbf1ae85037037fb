using System.IO.Pipes;
using System.Text;
using Lethe.Protocol;

namespace Lethe.Tests.Protocol;

public sealed class ControlChannelTests
{
    [Fact(Timeout = 10_000)]
    public async Task Messages_cross_a_real_pipe_intact_and_in_order()
    {
        using var server = new AnonymousPipeServerStream(PipeDirection.Out);
        using var client = new AnonymousPipeClientStream(PipeDirection.In, server.ClientSafePipeHandle);
        using var sender = new ControlChannel(Stream.Null, server);
        using var receiver = new ControlChannel(client, Stream.Null);

        var payload = Enumerable.Range(0, 200_000).Select(i => (byte)i).ToArray();
        var sending = Task.Run(async () =>
        {
            await sender.SendAsync(ControlMessage.Run(new ExecRequest { Argv = ["sh", "-c", "echo \"é\n\""] }));
            await sender.SendAsync(ControlMessage.Output(MessageTypes.Stdout, payload));
            await sender.SendAsync(ControlMessage.Exited(7));
            server.Dispose();
        }, TestContext.Current.CancellationToken);

        var exec = await receiver.ReceiveAsync(TestContext.Current.CancellationToken);
        exec!.Exec!.Argv.ShouldBe(["sh", "-c", "echo \"é\n\""]);
        (await receiver.ReceiveAsync(TestContext.Current.CancellationToken))!.DataBytes().ShouldBe(payload);
        (await receiver.ReceiveAsync(TestContext.Current.CancellationToken))!.Code.ShouldBe(7);
        (await receiver.ReceiveAsync(TestContext.Current.CancellationToken)).ShouldBeNull();
        await sending;
    }

    [Fact(Timeout = 10_000)]
    public async Task Blank_lines_are_skipped()
    {
        var text = "\n  \n" + ProtocolJson.Serialize(ControlMessage.Exited(3)) + "\n";
        using var channel = new ControlChannel(new MemoryStream(Encoding.UTF8.GetBytes(text)), Stream.Null);
        (await channel.ReceiveAsync(TestContext.Current.CancellationToken))!.Code.ShouldBe(3);
    }

    [Fact]
    public void The_seed_round_trips_and_holds_only_what_the_guest_needs()
    {
        var seed = new GuestSeed { Hostname = "h", User = new GuestUser("dev", 1000, 1000, "/home/dev", "/bin/bash"), MemoryMiB = 512, Init = InitMode.Systemd };
        var json = Encoding.UTF8.GetString(ProtocolJson.Serialize(seed));
        json.ShouldContain("\"Systemd\"");
        ProtocolJson.DeserializeSeed(Encoding.UTF8.GetBytes(json)).ShouldBe(seed);
    }
}
