using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Lethe.Core;

/// <summary>
/// Every host process lethe starts is forked here, on one dedicated thread that lives as long as lethe.
/// Two reasons: a parent-death signal (setpriv --pdeathsig) fires when the *thread* that forked the
/// child exits, so forking from a pool thread that may retire would kill a healthy VM; and the file
/// descriptors passed to one child are made inheritable only while that child is forked, which is safe
/// only because no other fork can happen meanwhile.
/// </summary>
internal static class HostLaunchThread
{
    private const int F_GETFD = 1, F_SETFD = 2, FD_CLOEXEC = 1;

    private static readonly BlockingCollection<(ProcessStartInfo Info, IReadOnlyList<SafeHandle> Inherited, TaskCompletionSource<Process> Result)> Queue = new();

    static HostLaunchThread()
    {
        var thread = new Thread(() =>
        {
            foreach (var (info, inherited, result) in Queue.GetConsumingEnumerable())
            {
                try
                {
                    result.SetResult(StartInheriting(info, inherited));
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

    public static Task<Process> StartAsync(ProcessStartInfo info, IReadOnlyList<SafeHandle> inherited)
    {
        var result = new TaskCompletionSource<Process>(TaskCreationOptions.RunContinuationsAsynchronously);
        Queue.Add((info, inherited, result));
        return result.Task;
    }

    private static Process StartInheriting(ProcessStartInfo info, IReadOnlyList<SafeHandle> inherited)
    {
        foreach (var handle in inherited)
            SetCloseOnExec(handle, false);
        try
        {
            return Process.Start(info) ?? throw new InvalidOperationException($"{info.FileName} did not start");
        }
        finally
        {
            foreach (var handle in inherited)
                SetCloseOnExec(handle, true);
        }
    }

    private static void SetCloseOnExec(SafeHandle handle, bool closeOnExec)
    {
        var fd = (int)handle.DangerousGetHandle();
        var flags = fcntl(fd, F_GETFD, 0);
        if (flags < 0 || fcntl(fd, F_SETFD, closeOnExec ? flags | FD_CLOEXEC : flags & ~FD_CLOEXEC) < 0)
            throw new IOException($"fcntl on fd {fd}: {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}");
    }

#pragma warning disable SYSLIB1054 // LibraryImport needs unsafe code in this project; three ints marshal as they are.
    [DllImport("libc", SetLastError = true)]
    private static extern int fcntl(int fd, int command, int argument);
#pragma warning restore SYSLIB1054
}
