using System.Text;
using Lethe.Core;
using Lethe.Machine.Run;
using Lethe.Protocol;
using Lethe.Spec;

namespace Lethe.Machine.Bench;

/// <summary>What one lethe bench share run measures: files in the tree, MiB written and read, warm git status runs.</summary>
public sealed record ShareBenchSettings(int Files, int SizeMiB, int WarmStatuses = 5);

/// <summary>
/// Workspace I/O against the guest's own tmpfs, in one booted machine per run: a one-shot machine that
/// shares a fresh host folder read-write at /work, as lethe run does. In both places: unpack the tree,
/// git status (cold after dropping caches, then warm), a sequential write with fsync and a read after
/// dropping caches.
/// </summary>
public sealed class ShareBench(LethePaths paths)
{
    public const string WorkspaceAt = "/work";

    /// <summary>The spec's machine with git in its image (the bench's git status needs it).</summary>
    public static MachineSpec ForBench(MachineSpec spec) =>
        spec.Image.Packages.Contains("git") ? spec : spec with { Image = spec.Image with { Packages = [.. spec.Image.Packages, "git"] } };

    /// <summary>One boot. <paramref name="boot"/>'s spec should come from <see cref="ForBench"/>; the share folder is made inside <paramref name="parent"/>.</summary>
    public async Task<ShareSample> MeasureOnceAsync(BootRequest boot, ShareBenchSettings settings, string parent, CancellationToken stop)
    {
        var tree = ShareTree.Plan(settings.Files);
        using var folder = ShareBenchFolder.Create(parent, tree, ShareBenchScript.TarName);
        var request = boot with
        {
            Workspace = new WorkspaceSpec(folder.Path, WorkspaceMode.Rw, WorkspaceAt),
            MemoryMiB = Math.Max(boot.MemoryMiB, ShareStatistics.MemoryMiB(settings.SizeMiB, settings.Files)),
        };
        using var run = RunDirectory.Create(paths.Runs, boot.MachineName);
        var (vm, _) = await MachineBoot.StartAsync(paths, request, run, TextWriter.Null, stop).ConfigureAwait(false);
        await using (vm)
        {
            using var output = new MemoryStream();
            using var errors = new MemoryStream();
            var script = ShareBenchScript.For(boot.Spec.User.Name, WorkspaceAt, settings.SizeMiB * 1024L * 1024,
                settings.WarmStatuses, ShareStatistics.TmpfsMiB(settings.SizeMiB, settings.Files));
            using var limit = CancellationTokenSource.CreateLinkedTokenSource(stop);
            limit.CancelAfter(GuestTimeout(settings));
            int code;
            try
            {
                code = await CommandRelay.RunAsync(vm.Channel, 1, new ExecRequest { Argv = ["/bin/bash", "-c", script], AsRoot = true },
                    new RunStreams(Stream.Null, output, errors, TextWriter.Null), limit.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!stop.IsCancellationRequested)
            {
                throw new LetheException($"the share bench in the guest took longer than {GuestTimeout(settings).TotalMinutes:0} minutes");
            }
            await MachineBoot.PowerOffAsync(vm, TimeSpan.FromSeconds(15)).ConfigureAwait(false);
            var text = Encoding.UTF8.GetString(output.ToArray());
            if (code != 0 || ShareBenchScript.Parse(text) is not { } sample)
                throw new LetheException($"the share bench in the guest failed (exit {code}): " +
                    UntrustedText.ForLine(LastLine(Encoding.UTF8.GetString(errors.ToArray())) is { Length: > 0 } error ? error : "unexpected output: " + LastLine(text)));
            return sample;
        }
    }

    /// <summary>Generous under TCG on a busy host: 30 ms a file and 2 s a MiB, plus 5 minutes.</summary>
    public static TimeSpan GuestTimeout(ShareBenchSettings settings) =>
        TimeSpan.FromMinutes(5) + TimeSpan.FromSeconds(0.03 * settings.Files * (3 + settings.WarmStatuses) + 2.0 * settings.SizeMiB);

    private static string LastLine(string text) =>
        text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault() ?? "";
}
