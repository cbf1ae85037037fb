using System.Threading.Channels;

namespace Lethe.Machine.Network.Log;

/// <summary>
/// Hands decisions to <paramref name="inner"/> on a task of its own, so that the gateway's loop never waits
/// for the disk. Bounded: when the writer falls behind, new decisions are dropped and counted, never queued
/// without end. Dispose waits for what is queued to be written.
/// </summary>
public sealed class BackgroundDecisionSink : IDecisionSink, IAsyncDisposable
{
    public const int Capacity = 10_000;

    private readonly Channel<DecisionRecord> _queue = Channel.CreateBounded<DecisionRecord>(
        new BoundedChannelOptions(Capacity) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true });
    private readonly Task _writer;
    private long _dropped;

    public BackgroundDecisionSink(IDecisionSink inner) =>
        _writer = Task.Run(async () =>
        {
            await foreach (var record in _queue.Reader.ReadAllAsync().ConfigureAwait(false))
                inner.Write(record);
        });

    public long Dropped => Interlocked.Read(ref _dropped);

    public void Write(DecisionRecord record)
    {
        if (!_queue.Writer.TryWrite(record))
            Interlocked.Increment(ref _dropped);
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _writer.ConfigureAwait(false);
    }
}
