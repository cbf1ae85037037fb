using System.Threading.Channels;

namespace Lethe.Machine.Run;

/// <summary>
/// The sizes the user's terminal takes while an interactive session runs, for the guest's terminal to
/// follow. Only the latest size waiting counts: a window dragged through many sizes sends the last one.
/// </summary>
public sealed class TerminalResizes
{
    private readonly Channel<(int Rows, int Columns)> _sizes =
        Channel.CreateBounded<(int, int)>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropOldest });

    public void Post(int rows, int columns)
    {
        if (rows > 0 && columns > 0)
            _sizes.Writer.TryWrite((rows, columns));
    }

    public IAsyncEnumerable<(int Rows, int Columns)> ReadAllAsync(CancellationToken stop) => _sizes.Reader.ReadAllAsync(stop);
}
