using System.Text;
using System.Text.RegularExpressions;
using Lethe.Core;

namespace Lethe.Machine.Secrets;

/// <summary>
/// send_env: the host variables a session gets, read from the lethe process's own environment through
/// <c>lookup</c> (injected, so this is testable without one). The names come from the spec's
/// ssh.send_env and from --send-env. The values leave this process only inside that session's exec
/// request on the control channel: never in a seed, an argv, a file or a log line, so no message here
/// ever contains one.
/// </summary>
public static partial class SessionVariables
{
    /// <summary>All values together; the control channel carries at most 1 MiB per message, and the command line too.</summary>
    public const int MaxTotalBytes = 256 * 1024;
    public const int MaxNames = 64;

    /// <summary>
    /// The session's variables, by name in the order first listed; null when none are asked for. A name
    /// that is not a variable name, or that is unset here, is a usage error (exit 2) naming it.
    /// </summary>
    public static IReadOnlyDictionary<string, string>? Collect(IEnumerable<string> specNames, IEnumerable<string> optionNames, Func<string, string?> lookup)
    {
        var names = specNames.Concat(optionNames).Distinct(StringComparer.Ordinal).ToList();
        if (names.Count == 0)
            return null;
        if (names.FirstOrDefault(n => !VariableName().IsMatch(n)) is { } bad)
            throw new UsageException($"--send-env: '{Shown(bad)}' is not a variable name (letters, digits and '_', not starting with a digit)");
        if (names.Count > MaxNames)
            throw new UsageException($"send_env: at most {MaxNames} variables, got {names.Count}");
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        var unset = new List<string>();
        foreach (var name in names)
        {
            if (lookup(name) is { } value)
                values[name] = value;
            else
                unset.Add(name);
        }
        if (unset.Count > 0)
            throw new UsageException(unset.Count == 1
                ? $"send_env: {unset[0]} is not set in lethe's environment"
                : $"send_env: {string.Join(", ", unset)} are not set in lethe's environment");
        var total = values.Sum(v => Encoding.UTF8.GetByteCount(v.Key) + Encoding.UTF8.GetByteCount(v.Value));
        if (total > MaxTotalBytes)
            throw new UsageException($"send_env: the variables' values add up to {total} bytes, over the limit of {MaxTotalBytes}");
        return values;
    }

    /// <summary>A bad name is shown, but never longer than a line nor with control characters.</summary>
    private static string Shown(string name)
    {
        var clean = Protocol.UntrustedText.ForLine(name);
        return clean.Length > 64 ? clean[..64] + "…" : clean;
    }

    [GeneratedRegex(@"\A[A-Za-z_][A-Za-z0-9_]{0,127}\z")]
    private static partial Regex VariableName();
}
