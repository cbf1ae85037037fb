namespace Lethe.Machine.Bench;

/// <summary>Workspace over tmpfs: how many times as long each step took in the workspace (1 = as fast as tmpfs).</summary>
public sealed record ShareRatios(double Unpack, double StatusCold, double StatusWarm, double Write, double Read);

/// <summary>Pure: medians over boots, ratios, throughput, and the target.</summary>
public static class ShareStatistics
{
    /// <summary>Issue 10: workspace git status within 3× of the guest's tmpfs.</summary>
    public const double StatusTarget = 3.0;

    public static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count == 0 ? 0 : sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2.0;
    }

    public static ShareFigures MediansOf(IEnumerable<ShareFigures> figures)
    {
        var list = figures.ToList();
        return new ShareFigures(Median(list.Select(f => f.UnpackMs)), Median(list.Select(f => f.StatusColdMs)), Median(list.Select(f => f.StatusWarmMs)),
            Median(list.Select(f => f.WriteMs)), Median(list.Select(f => f.ReadMs)));
    }

    public static ShareRatios RatiosOf(ShareFigures workspace, ShareFigures tmpfs) => new(
        Ratio(workspace.UnpackMs, tmpfs.UnpackMs), Ratio(workspace.StatusColdMs, tmpfs.StatusColdMs), Ratio(workspace.StatusWarmMs, tmpfs.StatusWarmMs),
        Ratio(workspace.WriteMs, tmpfs.WriteMs), Ratio(workspace.ReadMs, tmpfs.ReadMs));

    /// <summary>MiB per second for <paramref name="mib"/> MiB in <paramref name="ms"/> milliseconds.</summary>
    public static double MiBPerSecond(int mib, double ms) => ms > 0 ? mib * 1000.0 / ms : 0;

    /// <summary>Guest memory the bench needs: its tmpfs, with room for the guest itself.</summary>
    public static int MemoryMiB(int sizeMiB, int files) => TmpfsMiB(sizeMiB, files) + 768;

    /// <summary>The bench's tmpfs: the file, plus 16 KiB a file for the tree, its tarball and its git objects (a page each).</summary>
    public static int TmpfsMiB(int sizeMiB, int files) => sizeMiB + 128 + files / 64;

    private static double Ratio(double part, double whole) => whole > 0 ? part / whole : 0;
}
