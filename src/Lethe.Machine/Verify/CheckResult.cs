using Lethe.Protocol.Boot;

namespace Lethe.Machine.Verify;

public sealed record CheckResult(string Check, bool Passed, string Detail);

/// <summary>Pure: judges what the machine reports after the reboot against the canary plan.</summary>
public static class CanaryJudge
{
    /// <param name="written">The outcome of writing each canary, before the reboot.</param>
    /// <param name="read">The outcome of reading each canary back (without following links), after it.</param>
    public static IReadOnlyList<CheckResult> Judge(IReadOnlyList<Canary> canaries, IReadOnlyList<StepOutcome> written, IReadOnlyList<StepOutcome> read) =>
        canaries.Select((c, i) =>
        {
            var check = c.MustSurvive ? $"kept: {c.Path}" : $"wiped: {c.Path}";
            if (written[i] is { Ok: false } notWritten)
                return new CheckResult(check, false, $"the canary could not be written: {notWritten.Error}");
            if (read[i] is { Ok: false } notRead)
                return new CheckResult(check, false, $"the canary could not be read back: {notRead.Error}");
            var found = read[i].Facts;
            if (!c.MustSurvive)
                return new CheckResult(check, found is null, found is null ? "gone after reboot" : "still there after reboot: the wipe failed");
            if (found is null)
                return new CheckResult(check, false, "lost at reboot: the allowlisted path is not persisted");
            if (found.Kind != PathKind.File)
                return new CheckResult(check, false, $"replaced by a {found.Kind.ToString().ToLowerInvariant()} across the reboot");
            if (read[i].Content != c.Content)
                return new CheckResult(check, false, "content changed across the reboot");
            var stat = $"{found.Uid} {found.Gid} {Convert.ToString(found.Mode, 8)}";
            return stat == c.Stat
                ? new CheckResult(check, true, $"kept with content, owner and mode ({c.Stat})")
                : new CheckResult(check, false, $"owner/mode changed: expected {c.Stat}, found {stat}");
        }).ToList();
}
