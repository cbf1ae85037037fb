using Lethe.Core;
using Lethe.Protocol;

namespace Lethe.Machine.Run;

/// <summary>
/// Runs one command over a control channel (to a guest, or to a workstation's supervisor): sends the
/// request, pumps stdin, writes stdout and stderr as they come, and returns the exit status.
/// </summary>
public static class CommandRelay
{
    public static async Task<int> RunAsync(ControlChannel channel, int session, ExecRequest exec, RunStreams streams, CancellationToken stop)
    {
        await channel.SendAsync(ControlMessage.Run(exec).ForSession(session), stop).ConfigureAwait(false);
        _ = Task.Run(() => PumpStdinAsync(channel, session, streams.Stdin, stop), CancellationToken.None);
        while (await channel.ReceiveAsync(stop).ConfigureAwait(false) is { } message)
        {
            if (message.Session != session)
                continue;
            switch (message.Type)
            {
                case MessageTypes.Stdout:
                    await WriteAsync(streams.Stdout, message.DataBytes(), stop).ConfigureAwait(false);
                    break;
                case MessageTypes.Stderr:
                    await WriteAsync(streams.Stderr, message.DataBytes(), stop).ConfigureAwait(false);
                    break;
                case MessageTypes.Error:
                    streams.Diagnostics.WriteLine($"lethe: guest: {message.Text}");
                    break;
                case MessageTypes.Exit:
                    return message.Code ?? 1;
            }
        }
        throw new LetheException("the machine stopped before the command finished");
    }

    private static async Task WriteAsync(Stream stream, byte[] data, CancellationToken stop)
    {
        await stream.WriteAsync(data, stop).ConfigureAwait(false);
        await stream.FlushAsync(stop).ConfigureAwait(false);
    }

    private static async Task PumpStdinAsync(ControlChannel channel, int session, Stream stdin, CancellationToken stop)
    {
        var buffer = new byte[16 * 1024];
        try
        {
            int read;
            while ((read = await stdin.ReadAsync(buffer, stop).ConfigureAwait(false)) > 0)
                await channel.SendAsync(ControlMessage.Input(buffer.AsSpan(0, read)).ForSession(session), stop).ConfigureAwait(false);
            await channel.SendAsync(ControlMessage.InputClosed().ForSession(session), stop).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or ObjectDisposedException)
        {
        }
    }
}
