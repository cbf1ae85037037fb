using Lethe.Core;
using Lethe.Spec.Secrets;

namespace Lethe.Machine.Audit;

/// <summary>One entry of an ignore file: a finding's path (a folder when it ends in '/'), optionally one rule, and why.</summary>
public sealed record AuditIgnoreEntry(string Path, string? Rule, string Reason, int Line)
{
    public bool Matches(SecretFinding finding) =>
        (Rule is null || Rule == finding.Rule)
        && (Path.EndsWith('/') ? finding.Path.StartsWith(Path, StringComparison.Ordinal) : finding.Path == Path);
}

/// <summary>
/// Pure: the ignore file (default <c>lethe.audit-ignore</c> beside the spec). One entry per line,
/// <c>PATH[:RULE] # reason</c>, where PATH is a finding's path as the audit prints it. The reason is
/// mandatory: an entry without one is a usage error (exit 2). Blank lines and lines starting with # are skipped.
/// </summary>
public static class AuditIgnore
{
    public const string DefaultFileName = "lethe.audit-ignore";

    public static IReadOnlyList<AuditIgnoreEntry> Parse(string text, string fileLabel)
    {
        var entries = new List<AuditIgnoreEntry>();
        var lines = text.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i].TrimEnd('\r').Trim();
            if (line.Length == 0 || line.StartsWith('#'))
                continue;
            var hash = line.IndexOf(" #", StringComparison.Ordinal);
            var reason = hash < 0 ? "" : line[(hash + 2)..].Trim();
            if (reason.Length == 0)
                throw new UsageException($"{fileLabel}:{i + 1}: an ignore entry needs a reason: PATH[:RULE] # why this is not a secret");
            var entry = line[..hash].Trim();
            string? rule = null;
            if (entry.LastIndexOf(':') is > 0 and var colon && SecretRules.All.Contains(entry[(colon + 1)..]))
                (entry, rule) = (entry[..colon], entry[(colon + 1)..]);
            entries.Add(new AuditIgnoreEntry(entry, rule, reason, i + 1));
        }
        return entries;
    }

    /// <summary>Splits findings into those that stand and those an entry silences.</summary>
    public static (IReadOnlyList<SecretFinding> Standing, IReadOnlyList<SecretFinding> Ignored) Apply(
        IReadOnlyList<SecretFinding> findings, IReadOnlyList<AuditIgnoreEntry> entries)
    {
        var ignored = findings.Where(f => entries.Any(e => e.Matches(f))).ToList();
        return ([.. findings.Except(ignored)], ignored);
    }
}
