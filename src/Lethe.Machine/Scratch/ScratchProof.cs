using System.Globalization;
using System.Text;
using Lethe.Machine.Verify;

namespace Lethe.Machine.Scratch;

/// <summary>
/// The scratch disk's part of <c>lethe verify</c>, on the host: after the guest wrote a marker many
/// times to the scratch disk (and synced), the host file must hold no trace of it and look like random
/// data wherever it is allocated; and no text lethe keeps may hold anything key-sized.
/// </summary>
public static class ScratchProof
{
    public const double MinimumEntropy = 7.9;
    public const long MinimumAllocatedBytes = 4L << 20;
    private const int ChunkBytes = 1 << 20;

    /// <summary>Reads the host file once: the marker check, then the entropy check.</summary>
    public static IReadOnlyList<CheckResult> CheckFile(string hostFile, string marker, long minimumAllocatedBytes = MinimumAllocatedBytes)
    {
        var scan = new ScratchScan(Encoding.UTF8.GetBytes(marker));
        using (var file = new FileStream(hostFile, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1, FileOptions.SequentialScan))
        {
            var buffer = new byte[ChunkBytes];
            int read;
            while ((read = file.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false)) > 0)
                scan.Feed(buffer.AsSpan(0, read));
        }
        return [Judge.Marker(scan), Judge.Randomness(scan, minimumAllocatedBytes)];
    }

    /// <summary>Pure: no key-sized run in <paramref name="text"/>; <paramref name="allowed"/> lists known public values (the image digest).</summary>
    public static CheckResult NoKeyMaterial(string source, string text, IEnumerable<string>? allowed = null) =>
        ScratchKeyCheck.Find(text, allowed) is { } finding
            ? new CheckResult($"scratch key: {source}", false, $"{finding}: key material may have leaked")
            : new CheckResult($"scratch key: {source}", true, "nothing key-sized (no 64+ hex digits, no 86+ base64 run)");

    /// <summary>Pure: the verdicts on a finished scan.</summary>
    public static class Judge
    {
        public static CheckResult Marker(ScratchScan scan) =>
            scan.MarkerHits == 0
                ? new CheckResult("scratch: no plaintext on the host", true, $"the marker appears nowhere in the host file ({MiB(scan.ScannedBytes)} read, {MiB(scan.AllocatedBytes)} written)")
                : new CheckResult("scratch: no plaintext on the host", false, $"the marker appears {scan.MarkerHits} times in the host file, first at byte {scan.FirstHitOffset}: the scratch disk is not encrypted");

        public static CheckResult Randomness(ScratchScan scan, long minimumAllocatedBytes)
        {
            const string check = "scratch: ciphertext on the host";
            if (scan.AllocatedBytes < minimumAllocatedBytes)
                return new CheckResult(check, false, $"only {MiB(scan.AllocatedBytes)} written to the host file (at least {MiB(minimumAllocatedBytes)} expected): the guest's writes did not reach the scratch disk");
            var entropy = scan.EntropyBitsPerByte();
            var text = entropy.ToString("0.0000", CultureInfo.InvariantCulture);
            return entropy > MinimumEntropy
                ? new CheckResult(check, true, $"the written region ({MiB(scan.AllocatedBytes)}) has {text} bits of entropy per byte, as random data has")
                : new CheckResult(check, false, $"the written region ({MiB(scan.AllocatedBytes)}) has only {text} bits of entropy per byte (random data: > {MinimumEntropy.ToString(CultureInfo.InvariantCulture)}): it is not ciphertext");
        }

        private static string MiB(long bytes) => (bytes / (1024.0 * 1024)).ToString("0.#", CultureInfo.InvariantCulture) + " MiB";
    }
}
