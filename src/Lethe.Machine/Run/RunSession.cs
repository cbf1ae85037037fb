using Lethe.Core;
using Lethe.Machine.Agents;
using Lethe.Protocol;

namespace Lethe.Machine.Run;

/// <summary>
/// lethe run: boot a fresh machine, run one command in it with its streams relayed, power it off, and
/// return the command's exit status. Ctrl-C or SIGTERM (the cancellation token) powers the machine off.
/// </summary>
public sealed class RunSession(LethePaths paths)
{
    public const int InterruptedExitCode = 130;
    private static readonly TimeSpan PowerOffGrace = TimeSpan.FromSeconds(15);

    public async Task<int> RunAsync(BootRequest boot, ExecRequest exec, RunStreams streams, CancellationToken stop, TerminalResizes? resizes = null,
        HostAgents? agents = null, Bench.BootTimings? timings = null)
    {
        RunDirectory.CleanStale(paths.Runs);
        using var run = RunDirectory.Create(paths.Runs, boot.MachineName);
        if (boot.Debug)
            streams.Diagnostics.WriteLine($"lethe: console log: {run.ConsoleLog} (kept as {run.KeepLog(paths.Logs)})");
        VirtualMachine? vm = null;
        ListeningReports? listening = null;
        try
        {
            (vm, var ready) = await MachineBoot.StartAsync(paths, boot, run, streams.Diagnostics, stop).ConfigureAwait(false);
            timings?.Ready(ready, vm.Pid);
            if (boot.Debug)
                streams.Diagnostics.WriteLine("lethe: " + MachineBoot.TimelineText(ready));
            foreach (var warning in ready.Warnings ?? [])
                streams.Diagnostics.WriteLine($"lethe: warning: {warning}");
            listening = ListeningReports.For(vm.Network?.Boot ?? boot.Network, streams.Diagnostics);
            timings?.CommandStart();
            var code = await CommandRelay.RunAsync(vm.Channel, 1, exec, streams, stop, resizes, listening, agents).ConfigureAwait(false);
            timings?.CommandEnd(vm.Pid);
            await MachineBoot.PowerOffAsync(vm, PowerOffGrace).ConfigureAwait(false);
            timings?.QemuExited(streams.Diagnostics);
            return code;
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            if (vm is not null)
                await MachineBoot.PowerOffAsync(vm, PowerOffGrace).ConfigureAwait(false);
            return InterruptedExitCode;
        }
        catch (ControlChannelException e)
        {
            // The guest cannot be listened to any more: one line, and the machine goes.
            if (vm is not null)
                await MachineBoot.PowerOffAsync(vm, PowerOffGrace).ConfigureAwait(false);
            streams.Diagnostics.WriteLine($"lethe: the machine's console log is kept in {run.KeepLog(paths.Logs)}");
            throw new LetheException($"the guest broke the control channel: {e.Message}", inner: e);
        }
        catch (LetheException)
        {
            streams.Diagnostics.WriteLine($"lethe: the machine's console log is kept in {run.KeepLog(paths.Logs)}");
            throw;
        }
        finally
        {
            listening?.Close();
            if (vm is not null)
                await vm.DisposeAsync().ConfigureAwait(false);
        }
    }
}
