using Lethe.Core;
using Lethe.Machine.Agents;
using Lethe.Protocol;

namespace Lethe.Machine.Run;

/// <summary>
/// Runs one command over a control channel (to a guest, or to a workstation's supervisor): sends the
/// request, pumps stdin (and terminal sizes), writes stdout and stderr as they come, and returns the
/// exit status: the first one of its own session. The guest's listening reports go to <c>listening</c>
/// (when given); the streams of forwarded agents go to the host's agents (when the session has any);
/// anything else the other end sends is ignored.
/// </summary>
public static class CommandRelay
{
    public static async Task<int> RunAsync(ControlChannel channel, int session, ExecRequest exec, RunStreams streams, CancellationToken stop,
        TerminalResizes? resizes = null, ListeningReports? listening = null, HostAgents? agents = null)
    {
        try
        {
            await channel.SendAsync(ControlMessage.Run(agents is null ? exec : exec with { Forwards = agents.Kinds, GpgPublicKeys = agents.GpgPublicKeys }).ForSession(session), stop).ConfigureAwait(false);
        }
        catch (ControlChannelException e)
        {
            throw new UsageException($"the command is too long: {e.Message}");
        }
        using var done = CancellationTokenSource.CreateLinkedTokenSource(stop);
        await using var relay = agents is null ? null : new AgentRelay(channel, session, agents, streams.Diagnostics);
        _ = Task.Run(() => PumpStdinAsync(channel, session, streams.Stdin, done.Token), CancellationToken.None);
        if (resizes is not null)
            _ = Task.Run(() => PumpResizesAsync(channel, session, resizes, done.Token), CancellationToken.None);
        try
        {
            while (await channel.ReceiveAsync(stop).ConfigureAwait(false) is { } message)
            {
                if (message.Type == MessageTypes.Listening)
                {
                    listening?.Report(message);
                    continue;
                }
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
                        // Cleaned on receipt; further lines are indented so that none can pass for one of lethe's own.
                        streams.Diagnostics.WriteLine($"lethe: guest: {message.Text?.Replace("\n", "\n  ", StringComparison.Ordinal)}");
                        break;
                    case MessageTypes.Exit:
                        return message.Code ?? 1;
                    case MessageTypes.StreamOpen or MessageTypes.StreamData or MessageTypes.StreamClose when relay is not null:
                        await relay.HandleAsync(message, stop).ConfigureAwait(false);
                        break;
                }
            }
        }
        finally
        {
            await done.CancelAsync().ConfigureAwait(false);
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

    private static async Task PumpResizesAsync(ControlChannel channel, int session, TerminalResizes resizes, CancellationToken stop)
    {
        try
        {
            await foreach (var (rows, columns) in resizes.ReadAllAsync(stop).ConfigureAwait(false))
                await channel.SendAsync(ControlMessage.Resized(rows, columns).ForSession(session), stop).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or ObjectDisposedException)
        {
        }
    }
}
