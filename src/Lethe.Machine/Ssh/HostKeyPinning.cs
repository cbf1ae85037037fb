using Lethe.Protocol;

namespace Lethe.Machine.Ssh;

public enum PinDecision
{
    /// <summary>No key pinned yet for the alias: pin the reported one.</summary>
    Pin,
    /// <summary>The pinned key is the reported one: nothing to write.</summary>
    Unchanged,
    /// <summary>A fresh identity brought a new key, as it should at every boot: replace the pin.</summary>
    Replace,
    /// <summary>A machine that keeps its identity shows a different key: refuse.</summary>
    Changed,
}

/// <summary>
/// Pure: the pinning decision for a machine's own known_hosts file, which holds one line, "ALIAS TYPE BASE64".
/// Any other content for the alias (a second key, garbage) counts as a different key.
/// </summary>
public static class HostKeyPinning
{
    public static PinDecision Decide(string? knownHosts, SshPublicKey reported, string alias, bool keepIdentity)
    {
        var pinned = PinnedFor(knownHosts ?? "", alias);
        if (pinned.Count == 0)
            return PinDecision.Pin;
        if (pinned is [var only] && only == reported.ToString())
            return PinDecision.Unchanged;
        return keepIdentity ? PinDecision.Changed : PinDecision.Replace;
    }

    public static string Line(string alias, SshPublicKey key) => $"{alias} {key}\n";

    /// <summary>The key text ("TYPE BASE64") of each line whose host field is the alias.</summary>
    private static List<string> PinnedFor(string knownHosts, string alias) =>
        [.. knownHosts.Split('\n')
            .Select(line => line.Trim())
            .Where(line => line.Length > 0 && !line.StartsWith('#'))
            .Select(line => line.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries))
            .Where(fields => fields.Length > 0 && fields[0].Split(',').Contains(alias, StringComparer.Ordinal))
            .Select(fields => string.Join(' ', fields.Skip(1).Take(2)))];
}
