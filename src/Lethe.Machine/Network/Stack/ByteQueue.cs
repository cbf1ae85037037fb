namespace Lethe.Machine.Network.Stack;

/// <summary>A first-in first-out byte buffer over a growable ring, read at an offset without consuming.</summary>
public sealed class ByteQueue(int initialCapacity = 4096)
{
    private byte[] _ring = new byte[Math.Max(16, initialCapacity)];
    private int _head;

    public int Count { get; private set; }

    public void Append(ReadOnlySpan<byte> data)
    {
        if (Count + data.Length > _ring.Length)
            Grow(Count + data.Length);
        var tail = (_head + Count) % _ring.Length;
        var first = Math.Min(data.Length, _ring.Length - tail);
        data[..first].CopyTo(_ring.AsSpan(tail));
        data[first..].CopyTo(_ring);
        Count += data.Length;
    }

    public void Discard(int length)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(length, Count);
        _head = (_head + length) % _ring.Length;
        Count -= length;
        if (Count == 0)
            _head = 0;
    }

    /// <summary>Copies <c>destination.Length</c> bytes that start <paramref name="offset"/> bytes into the queue.</summary>
    public void CopyTo(int offset, Span<byte> destination)
    {
        if (offset < 0 || offset + destination.Length > Count)
            throw new ArgumentOutOfRangeException(nameof(offset));
        var start = (_head + offset) % _ring.Length;
        var first = Math.Min(destination.Length, _ring.Length - start);
        _ring.AsSpan(start, first).CopyTo(destination);
        _ring.AsSpan(0, destination.Length - first).CopyTo(destination[first..]);
    }

    private void Grow(int needed)
    {
        var capacity = _ring.Length;
        while (capacity < needed)
            capacity *= 2;
        var grown = new byte[capacity];
        CopyTo(0, grown.AsSpan(0, Count));
        _ring = grown;
        _head = 0;
    }
}
