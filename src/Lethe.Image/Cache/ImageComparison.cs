using Lethe.Core;
using Lethe.Image.Rootfs;

namespace Lethe.Image.Cache;

/// <summary>
/// Compares two image set folders file by file, and for a differing rootfs.erofs names the first path
/// inside that differs (both images are extracted with fsck.erofs and their trees compared).
/// </summary>
public static class ImageComparison
{
    public static Task<IReadOnlyList<ImageDifference>> CompareAsync(string expectedFolder, string actualFolder, string scratchFolder, CancellationToken cancellationToken) =>
        CompareAsync(expectedFolder, actualFolder, scratchFolder, TreeAccess.ForThisProcess(), cancellationToken);

    public static async Task<IReadOnlyList<ImageDifference>> CompareAsync(string expectedFolder, string actualFolder, string scratchFolder, TreeAccess access, CancellationToken cancellationToken)
    {
        var differences = new List<ImageDifference>();
        foreach (var name in ImageFiles.Compared)
        {
            var offset = await FileComparison.FirstDifferenceAsync(Path.Combine(expectedFolder, name), Path.Combine(actualFolder, name), cancellationToken)
                .ConfigureAwait(false);
            if (offset is null)
                continue;
            string? inside = null;
            var description = $"differs from byte {offset}";
            if (name == ImageFiles.Rootfs)
                (inside, description) = await FirstDifferenceInsideAsync(expectedFolder, actualFolder, scratchFolder, description, access, cancellationToken).ConfigureAwait(false);
            differences.Add(new ImageDifference(name, inside, description));
        }
        return differences;
    }

    private static async Task<(string? Path, string Description)> FirstDifferenceInsideAsync(
        string expectedFolder, string actualFolder, string scratchFolder, string byteDescription, TreeAccess access, CancellationToken cancellationToken)
    {
        var expectedTree = Path.Combine(scratchFolder, "expected");
        var actualTree = Path.Combine(scratchFolder, "actual");
        try
        {
            Directory.CreateDirectory(scratchFolder);
            await ExtractAsync(Path.Combine(expectedFolder, ImageFiles.Rootfs), expectedTree, access, cancellationToken).ConfigureAwait(false);
            await ExtractAsync(Path.Combine(actualFolder, ImageFiles.Rootfs), actualTree, access, cancellationToken).ConfigureAwait(false);
            var inside = await TreeComparison.FirstDifferenceAsync(expectedTree, actualTree, access, cancellationToken).ConfigureAwait(false);
            return inside is null
                ? (null, $"{byteDescription}, but every file inside is the same (erofs layout)")
                : (inside.Path, $"{byteDescription}; first differing path /{inside.Path}: {inside.Description}");
        }
        finally
        {
            await TreeRemover.RemoveAsync(scratchFolder, access, cancellationToken).ConfigureAwait(false);
        }
    }

    private static Task ExtractAsync(string image, string folder, TreeAccess access, CancellationToken cancellationToken) =>
        access.Wrap(new HostCommand("fsck.erofs").WithArguments($"--extract={folder}", "--preserve", image)).RunAsync(cancellationToken);
}

/// <summary>Byte-for-byte file comparison.</summary>
public static class FileComparison
{
    /// <returns>The offset of the first differing byte (the shorter length if one is a prefix), or null when identical.</returns>
    public static async Task<long?> FirstDifferenceAsync(string first, string second, CancellationToken cancellationToken)
    {
        await using var a = new FileStream(first, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, useAsync: true);
        await using var b = new FileStream(second, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, useAsync: true);
        var bufferA = new byte[1 << 16];
        var bufferB = new byte[1 << 16];
        long position = 0;
        while (true)
        {
            var readA = await ReadFullyAsync(a, bufferA, cancellationToken).ConfigureAwait(false);
            var readB = await ReadFullyAsync(b, bufferB, cancellationToken).ConfigureAwait(false);
            var common = Math.Min(readA, readB);
            var mismatch = bufferA.AsSpan(0, common).CommonPrefixLength(bufferB.AsSpan(0, common));
            if (mismatch < common || readA != readB)
                return position + mismatch;
            if (readA == 0)
                return null;
            position += readA;
        }
    }

    private static async Task<int> ReadFullyAsync(Stream stream, byte[] buffer, CancellationToken cancellationToken)
    {
        var total = 0;
        while (total < buffer.Length)
        {
            var read = await stream.ReadAsync(buffer.AsMemory(total), cancellationToken).ConfigureAwait(false);
            if (read == 0)
                break;
            total += read;
        }
        return total;
    }
}
