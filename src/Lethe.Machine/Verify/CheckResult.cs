namespace Lethe.Machine.Verify;

public sealed record CheckResult(string Check, bool Passed, string Detail);

/// <summary>Pure: judges what the machine reports after the reboot against the canary plan.</summary>
public static class CanaryJudge
{
    public static IReadOnlyList<CheckResult> Judge(IReadOnlyList<Canary> canaries, string readScriptOutput)
    {
        var seen = readScriptOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => line.Split('\t'))
            .Where(parts => parts.Length >= 2)
            .ToDictionary(parts => parts[0], parts => parts.Length == 3 ? (Stat: parts[1], Content: parts[2]) : ((string Stat, string Content)?)null);
        return canaries.Select(c =>
        {
            var found = seen.GetValueOrDefault(c.Path);
            if (!c.MustSurvive)
                return new CheckResult($"wiped: {c.Path}", found is null, found is null ? "gone after reboot" : "still there after reboot: the wipe failed");
            if (found is not { } f)
                return new CheckResult($"kept: {c.Path}", false, "lost at reboot: the allowlisted path is not persisted");
            var expectedStat = $"{c.Uid} {c.Gid} {c.Mode}";
            if (f.Content != c.Content)
                return new CheckResult($"kept: {c.Path}", false, "content changed across the reboot");
            return f.Stat == expectedStat
                ? new CheckResult($"kept: {c.Path}", true, $"kept with content, owner and mode ({expectedStat})")
                : new CheckResult($"kept: {c.Path}", false, $"owner/mode changed: expected {expectedStat}, found {f.Stat}");
        }).ToList();
    }
}
