namespace Lethe.Machine.Scratch;

/// <summary>
/// Pure: one pass over a scratch disk's host file, fed in chunks in file order. Counts where a marker
/// appears (across chunk boundaries too) and builds the byte histogram of the allocated region: all-zero
/// 4 KiB blocks (holes of the sparse file read as zeros) are skipped at once, and so are all-zero
/// 512-byte sectors inside a written block (dm-crypt writes whole sectors).
/// </summary>
public sealed class ScratchScan
{
    public const int BlockBytes = 4096;
    public const int SectorBytes = 512;

    private readonly byte[] _marker;
    private readonly long[] _histogram = new long[256];
    private byte[] _tail = [];

    public ScratchScan(ReadOnlySpan<byte> marker)
    {
        if (marker.IsEmpty)
            throw new ArgumentException("the marker must not be empty", nameof(marker));
        _marker = marker.ToArray();
    }

    public long ScannedBytes { get; private set; }
    /// <summary>Bytes in sectors that are not all zero.</summary>
    public long AllocatedBytes { get; private set; }
    public long MarkerHits { get; private set; }
    /// <summary>Where the marker first starts in the file, or -1.</summary>
    public long FirstHitOffset { get; private set; } = -1;
    public IReadOnlyList<long> Histogram => _histogram;

    public void Feed(ReadOnlySpan<byte> chunk)
    {
        FindMarkers(chunk);
        for (var at = 0; at < chunk.Length; at += BlockBytes)
        {
            var block = chunk.Slice(at, Math.Min(BlockBytes, chunk.Length - at));
            if (block.IndexOfAnyExcept((byte)0) < 0)
                continue;
            for (var s = 0; s < block.Length; s += SectorBytes)
            {
                var sector = block.Slice(s, Math.Min(SectorBytes, block.Length - s));
                if (sector.IndexOfAnyExcept((byte)0) < 0)
                    continue;
                foreach (var b in sector)
                    _histogram[b]++;
                AllocatedBytes += sector.Length;
            }
        }
        ScannedBytes += chunk.Length;
    }

    /// <summary>Shannon entropy of the allocated bytes, in bits per byte (8 for uniformly random data).</summary>
    public double EntropyBitsPerByte() => Entropy(_histogram);

    public static double Entropy(IReadOnlyList<long> histogram)
    {
        var total = (double)histogram.Sum();
        if (total == 0)
            return 0;
        var bits = 0.0;
        foreach (var count in histogram)
        {
            if (count == 0)
                continue;
            var p = count / total;
            bits -= p * Math.Log2(p);
        }
        return bits;
    }

    private void FindMarkers(ReadOnlySpan<byte> chunk)
    {
        // The seam: the end of the previous chunk and the start of this one, too short to hold the
        // marker on either side alone, so a match there straddles the boundary.
        var head = chunk[..Math.Min(chunk.Length, _marker.Length - 1)];
        if (_tail.Length > 0 && head.Length > 0)
        {
            var seam = new byte[_tail.Length + head.Length];
            _tail.CopyTo(seam, 0);
            head.CopyTo(seam.AsSpan(_tail.Length));
            Count(seam, ScannedBytes - _tail.Length);
        }
        Count(chunk, ScannedBytes);
        var keep = Math.Min(_marker.Length - 1, chunk.Length);
        var tail = new byte[Math.Min(_marker.Length - 1, _tail.Length + chunk.Length)];
        var fromOld = tail.Length - keep;
        _tail.AsSpan(_tail.Length - fromOld).CopyTo(tail);
        chunk[^keep..].CopyTo(tail.AsSpan(fromOld));
        _tail = tail;
    }

    private void Count(ReadOnlySpan<byte> data, long offset)
    {
        var at = 0;
        while (at < data.Length && data[at..].IndexOf(_marker) is var found and >= 0)
        {
            if (FirstHitOffset < 0)
                FirstHitOffset = offset + at + found;
            MarkerHits++;
            at += found + 1;
        }
    }
}
