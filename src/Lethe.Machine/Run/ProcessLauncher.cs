using System.Collections.Concurrent;
using System.Diagnostics;

namespace Lethe.Machine.Run;

/// <summary>
/// Starts child processes from one dedicated thread that lives as long as lethe. A parent-death signal
/// (setpriv --pdeathsig) fires when the *thread* that forked the child exits, so forking from a pool
/// thread that may retire would kill a healthy VM.
/// </summary>
public static class ProcessLauncher
{
    private static readonly BlockingCollection<(ProcessStartInfo Info, TaskCompletionSource<Process> Result)> Queue = new();

    static ProcessLauncher()
    {
        var thread = new Thread(() =>
        {
            foreach (var (info, result) in Queue.GetConsumingEnumerable())
            {
                try
                {
                    result.SetResult(Process.Start(info) ?? throw new InvalidOperationException($"{info.FileName} did not start"));
                }
                catch (Exception e)
                {
                    result.SetException(e);
                }
            }
        })
        { IsBackground = true, Name = "lethe-launcher" };
        thread.Start();
    }

    public static Task<Process> StartAsync(ProcessStartInfo info)
    {
        var result = new TaskCompletionSource<Process>(TaskCreationOptions.RunContinuationsAsynchronously);
        Queue.Add((info, result));
        return result.Task;
    }
}
