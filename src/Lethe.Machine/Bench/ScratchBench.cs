using System.Globalization;
using Lethe.Core;
using Lethe.Machine.Run;
using Lethe.Protocol;

namespace Lethe.Machine.Bench;

/// <summary>
/// What the plain dm-crypt scratch disk saves: in the same guest, lethe's per-boot set-up (random key,
/// plain mapping, mkfs, mount: the "scratch" boot phase) against a LUKS2 luksFormat + open with
/// cryptsetup's defaults (what a LUKS-based scratch disk pays at every boot, before its mkfs).
/// </summary>
public sealed class ScratchBench(LethePaths paths)
{
    public sealed record Sample(long PlainMs, long LuksMs);

    /// <summary>Run as root in the guest; prints the milliseconds that luksFormat + open took.</summary>
    public const string LuksScript = """
        set -e
        modprobe loop
        head -c 64 /dev/urandom > /run/lethe-bench.key
        truncate -s 64M /scratch/luks.img
        t0=$(date +%s%N)
        cryptsetup luksFormat --batch-mode --type luks2 --key-file /run/lethe-bench.key /scratch/luks.img
        cryptsetup open --key-file /run/lethe-bench.key /scratch/luks.img lethe-bench-luks
        t1=$(date +%s%N)
        cryptsetup close lethe-bench-luks
        rm -f /scratch/luks.img /run/lethe-bench.key
        echo $(( (t1 - t0) / 1000000 ))
        """;

    public async Task<Sample> MeasureOnceAsync(BootRequest boot, CancellationToken stop)
    {
        using var run = RunDirectory.Create(paths.Runs, boot.MachineName);
        var (vm, ready) = await MachineBoot.StartAsync(paths, boot, run, TextWriter.Null, stop).ConfigureAwait(false);
        await using (vm)
        {
            var plain = PhaseMs(ready.Timeline ?? [], "image", "scratch")
                ?? throw new LetheException("the boot timeline has no scratch phase (was the disk set up?)");
            if (ready.Warnings is { Count: > 0 } warnings)
                throw new LetheException($"the scratch disk was not set up: {warnings[0]}");
            using var output = new MemoryStream();
            using var errors = new MemoryStream();
            var code = await CommandRelay.RunAsync(vm.Channel, 1, new ExecRequest { Argv = ["/bin/sh", "-c", LuksScript], AsRoot = true },
                new RunStreams(Stream.Null, output, errors, TextWriter.Null), stop).ConfigureAwait(false);
            await MachineBoot.PowerOffAsync(vm, TimeSpan.FromSeconds(15)).ConfigureAwait(false);
            if (code != 0 || !long.TryParse(System.Text.Encoding.UTF8.GetString(output.ToArray()).Trim(), CultureInfo.InvariantCulture, out var luks))
                throw new LetheException($"cryptsetup in the guest failed (exit {code}): {System.Text.Encoding.UTF8.GetString(errors.ToArray()).Trim()}");
            return new Sample(plain, luks);
        }
    }

    /// <summary>Pure: the time between two marks of a boot timeline.</summary>
    public static long? PhaseMs(IReadOnlyList<BootPhase> timeline, string from, string to) =>
        timeline.FirstOrDefault(p => p.Name == from) is { } start && timeline.FirstOrDefault(p => p.Name == to) is { } end
            ? end.AtMs - start.AtMs
            : null;

    public static double Median(IEnumerable<long> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count == 0 ? 0 : sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2.0;
    }
}
