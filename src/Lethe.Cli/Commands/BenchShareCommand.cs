using System.CommandLine;
using System.Text.Json;
using Lethe.Core;
using Lethe.Machine.Bench;

namespace Lethe.Cli.Commands;

/// <summary>lethe bench share: workspace I/O against the guest's tmpfs, medians of several boots.</summary>
public static class BenchShareCommand
{
    public static Command Create(CliConsole console)
    {
        var spec = SpecInput.CreateOption();
        var runs = new Option<int>("--runs") { Description = "Boots to measure (default 3)", DefaultValueFactory = _ => 3 };
        var files = new Option<int>("--files") { Description = "Files in the tree to unpack (default 20000)", DefaultValueFactory = _ => 20000 };
        var size = new Option<int>("--size") { Description = "MiB to write and read sequentially (default 1024)", DefaultValueFactory = _ => 1024 };
        var json = new Option<bool>("--json") { Description = "Machine-readable output" };
        var machine = new MachineOptions();
        var share = new Command("share", "Workspace (shared from the host) against the guest's tmpfs: unpack a tree, git status, sequential write and read; " +
            "a fresh folder inside the current one is shared, then removed") { spec, runs, files, size, json };
        machine.AddTo(share);
        share.SetAction(async (parse, stop) =>
        {
            var count = parse.GetValue(runs);
            if (count is < 1 or > 50)
                throw new UsageException("--runs: expected 1..50");
            var fileCount = parse.GetValue(files);
            if (fileCount is < 100 or > 200_000)
                throw new UsageException("--files: expected 100..200000");
            var mib = parse.GetValue(size);
            if (mib is < 1 or > 8192)
                throw new UsageException("--size: expected 1..8192 (MiB)");
            var settings = new ShareBenchSettings(fileCount, mib);
            var loaded = SpecInput.Load(parse.GetValue(spec), console);
            var boot = await machine.BootRequestAsync(parse, ShareBench.ForBench(loaded), loaded.Name + "-bench", console, parse.GetValue(LetheApp.DebugOption), stop).ConfigureAwait(false);
            var bench = new ShareBench(LethePaths.FromEnvironment());
            var samples = new List<ShareSample>();
            for (var i = 0; i < count; i++)
            {
                var sample = await bench.MeasureOnceAsync(boot, settings, Environment.CurrentDirectory, stop).ConfigureAwait(false);
                samples.Add(sample);
                console.Error.WriteLine($"lethe: run {i + 1}/{count}: git status (warm) workspace {sample.Workspace.StatusWarmMs:0} ms, tmpfs {sample.Tmpfs.StatusWarmMs:0} ms; " +
                    $"unpack workspace {sample.Workspace.UnpackMs / 1000:0.0} s, tmpfs {sample.Tmpfs.UnpackMs / 1000:0.0} s");
            }
            var workspace = ShareStatistics.MediansOf(samples.Select(s => s.Workspace));
            var tmpfs = ShareStatistics.MediansOf(samples.Select(s => s.Tmpfs));
            var ratios = ShareStatistics.RatiosOf(workspace, tmpfs);
            var accelerator = boot.Accel.Accelerator.ToString().ToLowerInvariant();
            var mount = samples[0].WorkspaceMount;
            if (parse.GetValue(json))
                console.Out.WriteLine(JsonSerializer.Serialize(new
                {
                    runs = count, accelerator, files = fileCount, sizeMiB = mib, warmStatuses = settings.WarmStatuses, workspaceMount = mount,
                    workspace, tmpfs, workspaceOverTmpfs = ratios, statusTarget = ShareStatistics.StatusTarget,
                    statusWithinTarget = ratios.StatusWarm <= ShareStatistics.StatusTarget, samples,
                }, new JsonSerializerOptions { PropertyNamingPolicy = JsonNamingPolicy.CamelCase, WriteIndented = true }));
            else
                foreach (var line in Render(count, accelerator, settings, mount, workspace, tmpfs, ratios))
                    console.Out.WriteLine(line);
            return ExitCodes.Success;
        });
        return share;
    }

    private static IEnumerable<string> Render(int runs, string accelerator, ShareBenchSettings settings, string mount,
        ShareFigures workspace, ShareFigures tmpfs, ShareRatios ratios)
    {
        yield return $"workspace I/O, median of {runs} ({accelerator}; {settings.Files} files, {settings.SizeMiB} MiB; workspace: {mount}):";
        yield return $"  {"",-36} {"workspace",12} {"tmpfs",12} {"ws/tmpfs",9}";
        yield return Row("unpack the tree", workspace.UnpackMs, tmpfs.UnpackMs, ratios.Unpack);
        yield return Row("git status, cold", workspace.StatusColdMs, tmpfs.StatusColdMs, ratios.StatusCold);
        yield return Row($"git status, warm (median of {settings.WarmStatuses})", workspace.StatusWarmMs, tmpfs.StatusWarmMs, ratios.StatusWarm);
        yield return Row($"write {settings.SizeMiB} MiB + fsync", workspace.WriteMs, tmpfs.WriteMs, ratios.Write) +
            $"  ({ShareStatistics.MiBPerSecond(settings.SizeMiB, workspace.WriteMs):0} vs {ShareStatistics.MiBPerSecond(settings.SizeMiB, tmpfs.WriteMs):0} MiB/s)";
        yield return Row($"read {settings.SizeMiB} MiB, caches dropped", workspace.ReadMs, tmpfs.ReadMs, ratios.Read) +
            $"  ({ShareStatistics.MiBPerSecond(settings.SizeMiB, workspace.ReadMs):0} vs {ShareStatistics.MiBPerSecond(settings.SizeMiB, tmpfs.ReadMs):0} MiB/s)";
        yield return ratios.StatusWarm <= ShareStatistics.StatusTarget
            ? $"git status in the workspace takes {ratios.StatusWarm:0.0}× as long as on tmpfs: within the target ({ShareStatistics.StatusTarget:0}×)"
            : $"git status in the workspace takes {ratios.StatusWarm:0.0}× as long as on tmpfs: misses the target ({ShareStatistics.StatusTarget:0}×) by {ratios.StatusWarm / ShareStatistics.StatusTarget:0.0}×";
    }

    private static string Row(string what, double workspaceMs, double tmpfsMs, double ratio) =>
        $"  {what,-36} {workspaceMs,9:0} ms {tmpfsMs,9:0} ms {ratio,8:0.0}×";
}
