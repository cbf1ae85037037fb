namespace Lethe.Machine.Bench;

/// <summary>Polls a running QEMU's VmHWM (which only grows) until it exits, for the kinds whose guest powers off by itself.</summary>
public sealed class QemuRssWatch : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _poll;
    private long? _peakKiB;

    public QemuRssWatch(int pid)
    {
        _poll = Task.Run(async () =>
        {
            while (!_stop.IsCancellationRequested)
            {
                try
                {
                    if (ProcFiles.StatusKiB(await File.ReadAllTextAsync($"/proc/{pid}/status", _stop.Token).ConfigureAwait(false), "VmHWM") is { } kib)
                        _peakKiB = Math.Max(_peakKiB ?? 0, kib);
                    await Task.Delay(20, _stop.Token).ConfigureAwait(false);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException or OperationCanceledException)
                {
                    return;
                }
            }
        });
    }

    /// <summary>The highest VmHWM seen; taken as the process ended, so its last ~20 ms may be missing.</summary>
    public long? PeakKiB => _peakKiB;

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await _poll.ConfigureAwait(false);
        _stop.Dispose();
    }
}
