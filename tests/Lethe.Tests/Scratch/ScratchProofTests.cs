using System.Security.Cryptography;
using System.Text;
using Lethe.Machine.Scratch;

namespace Lethe.Tests.Scratch;

/// <summary>Synthetic host files: sparse, with random (ciphertext-like) or plaintext regions.</summary>
public sealed class ScratchProofTests : IDisposable
{
    private const string Marker = "lethe-scratch-canary-5f2a9c";
    private readonly string _folder = Directory.CreateTempSubdirectory("lethe-proof-").FullName;

    private string SparseFile(long size, params (long Offset, byte[] Data)[] regions)
    {
        var path = Path.Combine(_folder, $"{Guid.NewGuid():N}.scratch");
        using var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write);
        file.SetLength(size);
        foreach (var (offset, data) in regions)
        {
            file.Position = offset;
            file.Write(data);
        }
        return path;
    }

    private static byte[] Repeated(string text, int bytes)
    {
        var one = Encoding.UTF8.GetBytes(text);
        var data = new byte[bytes];
        for (var i = 0; i < bytes; i++)
            data[i] = one[i % one.Length];
        return data;
    }

    [Fact]
    public void Random_data_with_holes_passes_both_checks()
    {
        var file = SparseFile(64L << 20, (4096, RandomNumberGenerator.GetBytes(3 << 20)), (40L << 20, RandomNumberGenerator.GetBytes(3 << 20)));

        var results = ScratchProof.CheckFile(file, Marker);

        results.Select(r => r.Passed).ShouldBe([true, true]);
        results[0].Detail.ShouldContain("64 MiB read, 6 MiB written");
        results[1].Detail.ShouldContain("bits of entropy per byte");
    }

    [Fact]
    public void Plaintext_fails_both_checks_and_says_where()
    {
        var file = SparseFile(16L << 20, (1L << 20, Repeated(Marker + "\n", 8 << 20)));

        var results = ScratchProof.CheckFile(file, Marker);

        results[0].Passed.ShouldBeFalse();
        results[0].Detail.ShouldContain("first at byte 1048576");
        results[1].Passed.ShouldBeFalse();
        results[1].Detail.ShouldContain("not ciphertext");
    }

    [Fact]
    public void A_marker_across_a_chunk_boundary_is_found()
    {
        var file = SparseFile(4L << 20, ((1L << 20) - 10, Encoding.UTF8.GetBytes(Marker)));
        var result = ScratchProof.CheckFile(file, Marker, minimumAllocatedBytes: 0)[0];
        result.Passed.ShouldBeFalse();
        result.Detail.ShouldContain($"first at byte {(1L << 20) - 10}");
    }

    [Fact]
    public void Markers_split_over_tiny_chunks_are_counted_once_each()
    {
        var scan = new ScratchScan(Encoding.UTF8.GetBytes("abcdef"));
        var data = Encoding.UTF8.GetBytes("xxabcdefyyabcdefabcdef");
        foreach (var size in new[] { 1, 2, 3, 5, 7, 100 })
        {
            scan = new ScratchScan(Encoding.UTF8.GetBytes("abcdef"));
            for (var at = 0; at < data.Length; at += size)
                scan.Feed(data.AsSpan(at, Math.Min(size, data.Length - at)));
            scan.MarkerHits.ShouldBe(3, $"chunks of {size}");
            scan.FirstHitOffset.ShouldBe(2);
        }
    }

    [Fact]
    public void An_empty_file_proves_nothing()
    {
        var file = SparseFile(32L << 20);
        var results = ScratchProof.CheckFile(file, Marker);
        results[0].Passed.ShouldBeTrue();
        results[1].Passed.ShouldBeFalse();
        results[1].Detail.ShouldContain("did not reach the scratch disk");
    }

    [Fact]
    public void Zero_sectors_inside_a_written_block_are_left_out_of_the_entropy()
    {
        var block = new byte[4096];
        RandomNumberGenerator.Fill(block.AsSpan(1024, 1024));
        var scan = new ScratchScan("m"u8);
        scan.Feed(block);
        scan.AllocatedBytes.ShouldBe(1024);
    }

    [Fact]
    public void Entropy_is_8_bits_for_uniform_bytes_and_0_for_one_value()
    {
        ScratchScan.Entropy(Enumerable.Repeat(10L, 256).ToArray()).ShouldBe(8.0, 1e-9);
        ScratchScan.Entropy([.. new long[255], 99]).ShouldBe(0.0);
        ScratchScan.Entropy(new long[256]).ShouldBe(0.0);
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
