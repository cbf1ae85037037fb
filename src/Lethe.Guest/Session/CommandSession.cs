using System.Diagnostics;
using Lethe.Protocol;
using Lethe.Protocol.Boot;

namespace Lethe.Guest.Session;

/// <summary>
/// Serves the control channel: runs each requested command, relays its stdin, stdout and stderr as
/// messages and reports its exit status, until the host asks for power-off (or goes away).
/// </summary>
internal sealed class CommandSession(ControlChannel channel, GuestSeed seed)
{
    private static readonly TimeSpan DrainAfterExit = TimeSpan.FromMilliseconds(500);
    private Process? _current;

    /// <summary>Returns when the host asks for power-off or closes the channel.</summary>
    public async Task ServeAsync()
    {
        while (await channel.ReceiveAsync().ConfigureAwait(false) is { } message)
        {
            switch (message.Type)
            {
                case MessageTypes.Exec when message.Exec is { } exec:
                    // Started here, not on another task, so that input that follows at once finds it.
                    if (await StartAsync(exec).ConfigureAwait(false) is { } started)
                        _ = Task.Run(() => FinishAsync(started, exec.Tty));
                    break;
                case MessageTypes.Stdin when _current is { } process:
                    await WriteInputAsync(process, message.DataBytes()).ConfigureAwait(false);
                    break;
                case MessageTypes.StdinClosed when _current is { } process:
                    CloseInput(process);
                    break;
                case MessageTypes.Signal when _current is { } process && message.Code is { } signal:
                    Native.Libc.kill(-process.Id, signal);
                    Native.Libc.kill(process.Id, signal);
                    break;
                case MessageTypes.PowerOff:
                    return;
            }
        }
    }

    private async Task<Process?> StartAsync(ExecRequest exec)
    {
        try
        {
            _current = Process.Start(UserCommand.StartInfo(exec, seed)) ?? throw new InvalidOperationException("no process");
            return _current;
        }
        catch (Exception e)
        {
            await channel.SendAsync(ControlMessage.Failure($"cannot start {exec.Argv.FirstOrDefault()}: {(seed.Debug ? e.ToString() : e.Message)}")).ConfigureAwait(false);
            await channel.SendAsync(ControlMessage.Exited(127)).ConfigureAwait(false);
            return null;
        }
    }

    private async Task FinishAsync(Process process, bool tty)
    {
        var pumps = new List<Task> { PumpAsync(process.StandardOutput.BaseStream, MessageTypes.Stdout) };
        if (!tty)
            pumps.Add(PumpAsync(process.StandardError.BaseStream, MessageTypes.Stderr));

        await process.WaitForExitAsync().ConfigureAwait(false);
        // A background child may hold the pipes open forever; take what is there and move on.
        await Task.WhenAny(Task.WhenAll(pumps), Task.Delay(DrainAfterExit)).ConfigureAwait(false);
        _current = null;
        await channel.SendAsync(ControlMessage.Exited(process.ExitCode)).ConfigureAwait(false);
    }

    private async Task PumpAsync(Stream stream, string type)
    {
        var buffer = new byte[16 * 1024];
        try
        {
            int read;
            while ((read = await stream.ReadAsync(buffer).ConfigureAwait(false)) > 0)
                await channel.SendAsync(ControlMessage.Output(type, buffer.AsSpan(0, read))).ConfigureAwait(false);
        }
        catch (IOException)
        {
        }
    }

    private static async Task WriteInputAsync(Process process, byte[] data)
    {
        try
        {
            await process.StandardInput.BaseStream.WriteAsync(data).ConfigureAwait(false);
            await process.StandardInput.BaseStream.FlushAsync().ConfigureAwait(false);
        }
        catch (IOException)
        {
        }
        catch (ObjectDisposedException)
        {
        }
    }

    private static void CloseInput(Process process)
    {
        try
        {
            process.StandardInput.Close();
        }
        catch (IOException)
        {
        }
    }
}
