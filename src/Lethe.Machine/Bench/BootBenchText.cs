using System.Globalization;
using System.Text;

namespace Lethe.Machine.Bench;

/// <summary>Pure: lethe bench boot's result as text for a terminal and as the README's markdown table.</summary>
public static class BootBenchText
{
    public static string Render(BootBenchResult result)
    {
        var text = new StringBuilder();
        var host = result.Host;
        text.AppendLine(CultureInfo.InvariantCulture,
            $"boot to `true`, {result.Runs} run{(result.Runs == 1 ? "" : "s")} of each kind, interleaved ({host.Accelerator}, {result.MemoryMiB} MiB guest, {result.Cpus} vCPUs; host {host.CpuModel}, {host.Cores} cores):");
        foreach (var kind in result.Kinds)
            text.AppendLine(string.Create(CultureInfo.InvariantCulture,
                $"  {kind.Kind,-9} median {Ms(kind.Wall.MedianMs),8}  min {Ms(kind.Wall.MinMs),8}  max {Ms(kind.Wall.MaxMs),8}  QEMU peak RSS {MiB(kind.QemuPeakRssMiB)}") +
                (kind.GuestMemoryInUseMiB is { } memory ? $"  guest memory in use {MiB(memory)}" : ""));
        if (result.Ratios.Count > 0)
            text.AppendLine("  ratios: " + string.Join("; ", result.Ratios.Select(r => $"{r.Numerator} / {r.Denominator} {X(r.Value)}")));
        if (result.LethePhaseMedians.Count > 0)
            text.AppendLine("lethe's phases (medians): " + string.Join(" → ", result.LethePhaseMedians.Select(p => $"{p.Name} {Ms(p.Ms)}")));
        if (result.HostOverhead is { } overhead)
            text.AppendLine(CultureInfo.InvariantCulture,
                $"host overhead (lethe's wall − the guest's ready uptime − the command): median {Ms(overhead.MedianMs)} (min {Ms(overhead.MinMs)}, max {Ms(overhead.MaxMs)})");
        if (result.WarmStart is { } warm)
            text.AppendLine(WarmLine(warm, bold: false));
        if (result.WarmPhaseMedians.Count > 0)
            text.AppendLine("warm's phases (medians, host clock; the guest's own clock is not comparable after a restore): "
                + string.Join(" → ", result.WarmPhaseMedians.Select(p => $"{p.Name} {Ms(p.Ms)}")));
        text.AppendLine("targets (issue 10):");
        foreach (var target in result.Targets)
            text.AppendLine(CultureInfo.InvariantCulture, $"  {Verdict(target.Met),-8} {target.Name}: {target.Goal}; measured {target.Measured}; {target.Margin}");
        text.AppendLine("kinds:");
        foreach (var kind in result.Kinds)
            text.AppendLine(CultureInfo.InvariantCulture, $"  {kind.Kind}: {kind.Description}");
        if (result.BaselineBuildSeconds > 0)
            text.AppendLine(CultureInfo.InvariantCulture, $"(the baseline's initramfs was built in this run: {result.BaselineBuildSeconds:0} s, not counted above)");
        if (result.WarmPrimingSeconds > 0)
            text.AppendLine(CultureInfo.InvariantCulture, $"(the warm kind's priming run, which takes the snapshot when there is none: {result.WarmPrimingSeconds:0.0} s, not counted above)");
        return text.ToString();
    }

    public static string Markdown(BootBenchResult result)
    {
        var host = result.Host;
        var md = new StringBuilder();
        md.AppendLine(CultureInfo.InvariantCulture, $"`{result.Command}` ({host.Date}; {host.CpuModel}, {host.Cores} cores, {host.Accelerator}, {host.QemuVersion}, host kernel {host.HostKernel}, lethe {host.LetheVersion}; {result.MemoryMiB} MiB guest, {result.Cpus} vCPUs, {result.Runs} runs each):");
        md.AppendLine();
        md.AppendLine("| boot to `true` | median | min | max | QEMU peak RSS | guest memory in use |");
        md.AppendLine("|---|---:|---:|---:|---:|---:|");
        foreach (var kind in result.Kinds)
            md.AppendLine(CultureInfo.InvariantCulture,
                $"| {kind.Kind} | {Ms(kind.Wall.MedianMs)} | {Ms(kind.Wall.MinMs)} | {Ms(kind.Wall.MaxMs)} | {MiB(kind.QemuPeakRssMiB)} | {(kind.GuestMemoryInUseMiB is { } m ? MiB(m) : "")} |");
        md.AppendLine();
        if (result.Ratios.Count > 0)
            md.AppendLine("Ratios: " + string.Join("; ", result.Ratios.Select(r => $"{r.Numerator} / {r.Denominator} **{X(r.Value)}**")) + ".");
        PhaseTable(md, "lethe's phase (median)", result.LethePhaseMedians);
        if (result.WarmStart is { } warm)
        {
            md.AppendLine();
            var line = WarmLine(warm, bold: true);
            md.AppendLine(char.ToUpperInvariant(line[0]) + line[1..] + ".");
        }
        PhaseTable(md, "warm's phase (median)", result.WarmPhaseMedians);
        md.AppendLine();
        md.AppendLine("| target | goal | measured | met | margin |");
        md.AppendLine("|---|---|---:|---|---|");
        foreach (var target in result.Targets)
            md.AppendLine(CultureInfo.InvariantCulture, $"| {target.Name} | {target.Goal} | {target.Measured} | {Verdict(target.Met)} | {target.Margin} |");
        return md.ToString();
    }

    private static void PhaseTable(StringBuilder md, string title, IReadOnlyList<PhaseTime> phases)
    {
        if (phases.Count == 0)
            return;
        md.AppendLine();
        md.AppendLine($"| {title} | " + string.Join(" | ", phases.Select(p => p.Name)) + " |");
        md.AppendLine("|---|" + string.Concat(phases.Select(_ => "---:|")));
        md.AppendLine("| ms | " + string.Join(" | ", phases.Select(p => p.Ms.ToString("0", CultureInfo.InvariantCulture))) + " |");
    }

    /// <summary>What the issue asks of warm starts: restore to the command against a cold boot to the command.</summary>
    private static string WarmLine(WarmStartSummary warm, bool bold)
    {
        var line = $"warm start, spawn to the command: median {Ms(warm.ToCommand.MedianMs)} (min {Ms(warm.ToCommand.MinMs)}, max {Ms(warm.ToCommand.MaxMs)})";
        if (warm.ColdToCommand is { } cold)
            line += $", a cold boot's {Ms(cold.MedianMs)}";
        if (warm.Speedup is { } speedup)
            line += bold ? $": restore is **{X(speedup)}** faster than a cold boot" : $": restore is {X(speedup)} faster than a cold boot";
        if (warm.Command is { } command)
            line += $"; the command itself {Ms(command.MedianMs)}";
        return line;
    }

    private static string Verdict(bool? met) => met switch { true => "met", false => "missed", null => "n/a" };

    private static string Ms(double ms) => BootStatistics.Ms(ms);

    private static string MiB(double? mib) => mib is { } m ? m.ToString("0", CultureInfo.InvariantCulture) + " MiB" : "?";

    private static string X(double ratio) => ratio.ToString("0.00", CultureInfo.InvariantCulture) + "x";
}
