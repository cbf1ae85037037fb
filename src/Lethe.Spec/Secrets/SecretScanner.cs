using System.Text.RegularExpressions;

namespace Lethe.Spec.Secrets;

/// <summary>
/// Pure: finds secrets in a text. The caller reads the file and names it; the name decides the file rules
/// (.netrc, .pgpass, .git-credentials, docker's config.json). Findings never carry the secret, only a hint
/// (a token's public prefix, a key's kind, an assignment's name).
/// </summary>
public static class SecretScanner
{
    /// <summary>
    /// A value under a secret-like name counts as random when it has at least 20 characters, mixes letters and
    /// digits, and has at least 3.5 bits of Shannon entropy per character; a hex value (0-9, a-f only) needs 32
    /// characters and 3.0 bits. Measured with 10 000 CSPRNG draws each: alphanumeric values of 20 characters
    /// fall below 3.5 in about 0.1 % of draws, of 24 never (lowest 3.60); base64 of 20, lowest 3.34, 0.1 % below
    /// 3.48; hex of 32, lowest 2.99, 0.1 % below 3.12. The default image has no value under a secret-like name
    /// that mixes letters and digits at all; words and identifiers without digits never count.
    /// </summary>
    public const double EntropyThreshold = 3.5;
    public const double HexEntropyThreshold = 3.0;
    public const int MinimumValueLength = 20;
    public const int MinimumHexLength = 32;

    public static IReadOnlyList<SecretFinding> Scan(string path, string text)
    {
        var findings = new List<(int Offset, string Rule, string Hint)>();
        foreach (var (start, length) in Windows(text))
        {
            FindTokens(text, start, length, findings);
            FindAwsSecrets(text, start, length, findings);
            FindHighEntropyAssignments(text, start, length, findings);
        }
        FindGcpServiceAccount(text, findings);
        FindByFileName(path, text, findings);
        if (findings.Count == 0)
            return [];
        var lines = new LineIndex(text);
        var located = findings.Select(f => new SecretFinding(path, lines.LineOf(f.Offset), f.Rule, f.Hint)).Distinct().ToList();
        // A line a specific rule names needs no second, vaguer finding.
        var named = located.Where(f => f.Rule != SecretRules.HighEntropy).Select(f => f.Line).ToHashSet();
        return [.. located
            .Where(f => f.Rule != SecretRules.HighEntropy || !named.Contains(f.Line))
            .OrderBy(f => f.Line).ThenBy(f => f.Rule, StringComparer.Ordinal)];
    }

    /// <summary>The parts of the text worth the regular expressions: the line around each anchor (a token
    /// prefix or a secret-like word), capped so that a binary without newlines stays linear. The anchors are
    /// found with a vectorized multi-string search, which keeps a scan of a whole image to seconds.</summary>
    private static IEnumerable<(int Start, int Length)> Windows(string text)
    {
        var position = 0;
        while (position < text.Length)
        {
            var hit = text.AsSpan(position).IndexOfAny(SecretPatterns.Anchors);
            if (hit < 0)
                yield break;
            var at = position + hit;
            var lineStart = at == 0 ? 0 : text.LastIndexOf('\n', at - 1, Math.Min(at, WindowBefore)) + 1;
            if (lineStart == 0)
                lineStart = Math.Max(0, at - WindowBefore);
            var newline = text.IndexOf('\n', at, Math.Min(text.Length - at, WindowAfter));
            var end = newline >= 0 ? newline : Math.Min(text.Length, at + WindowAfter);
            yield return (lineStart, end - lineStart);
            position = Math.Max(end, at + 1);
        }
    }

    private const int WindowBefore = 512;
    private const int WindowAfter = 8192;

    /// <summary>The rule a single value breaks (for the spec's env), or null: a known token, a private key,
    /// or a random-looking value under a secret-like name.</summary>
    public static string? Classify(string name, string value)
    {
        foreach (Match match in SecretPatterns.Tokens().Matches(value))
            if (TokenRule(match) is { } rule)
                return rule;
        if (SecretPatterns.SecretName().IsMatch(name) && LooksRandom(value))
            return SecretRules.HighEntropy;
        return null;
    }

    /// <summary>The test of <see cref="EntropyThreshold"/>: long enough, letters and digits, random enough.</summary>
    public static bool LooksRandom(string value)
    {
        var trimmed = value.Trim();
        if (!trimmed.Any(char.IsAsciiDigit) || !trimmed.Any(char.IsAsciiLetter))
            return false;
        if (LooksLikeIdentifier(trimmed) || trimmed.Contains("EXAMPLE", StringComparison.Ordinal))
            return false;
        var hex = trimmed.All(char.IsAsciiHexDigitLower) || trimmed.All(char.IsAsciiHexDigitUpper);
        return hex
            ? trimmed.Length >= MinimumHexLength && Entropy.BitsPerChar(trimmed) >= HexEntropyThreshold
            : trimmed.Length >= MinimumValueLength && Entropy.BitsPerChar(trimmed) >= EntropyThreshold;
    }

    /// <summary>Short words joined by separators (TLS_AES_128_GCM_SHA256, x86_64-linux-gnu): a name, not a
    /// random value, whose separators would be rare and whose pieces long.</summary>
    private static bool LooksLikeIdentifier(string value)
    {
        var pieces = value.Split(['_', '-', '.']);
        return pieces.Length >= 3 && pieces.Max(piece => piece.Length) < 10;
    }

    private static void FindTokens(string text, int start, int length, List<(int, string, string)> findings)
    {
        for (var match = SecretPatterns.Tokens().Match(text, start, length); match.Success; match = match.NextMatch())
        {
            if (TokenRule(match) is not { } rule)
                continue;
            if (rule == SecretRules.PrivateKey && !SecretPatterns.PrivateKeyBody().IsMatch(text, match.Index + match.Length))
                continue;
            findings.Add((match.Index, rule, Hint(rule, match.Value)));
        }
    }

    /// <summary>The rule of a token match, or null for a near miss: a documentation placeholder (EXAMPLE),
    /// or an OpenAI-shaped run of characters that does not mix letters and digits like a real key.</summary>
    private static string? TokenRule(Match match)
    {
        foreach (var (group, rule) in SecretPatterns.TokenGroups)
        {
            if (!match.Groups[group].Success)
                continue;
            if (match.Value.Contains("EXAMPLE", StringComparison.Ordinal))
                return null;
            if (rule == SecretRules.OpenAiKey && !LooksRandom(match.Value[3..]))
                return null;
            return rule;
        }
        return null;
    }

    private static string Hint(string rule, string value) => rule switch
    {
        SecretRules.PrivateKey => value.Trim('-').Replace("BEGIN ", "", StringComparison.Ordinal),
        SecretRules.PuttyKey => "PuTTY-User-Key-File",
        SecretRules.SlackWebhook => "hooks.slack.com/…",
        SecretRules.AnthropicKey => "sk-ant-…",
        SecretRules.OpenAiKey => value.StartsWith("sk-proj-", StringComparison.Ordinal) ? "sk-proj-…" : "sk-…",
        SecretRules.GitHubToken => value[..(value.IndexOf('_') + 1)] + (value.StartsWith("github_pat_", StringComparison.Ordinal) ? "pat_…" : "…"),
        SecretRules.GitLabToken => "glpat-…",
        SecretRules.SlackToken => value[..5] + "…",
        SecretRules.StripeKey => value[..8] + "…",
        SecretRules.AwsAccessKeyId => value[..4] + "…",
        SecretRules.Jwt => "eyJ…",
        _ => "",
    };

    private static void FindAwsSecrets(string text, int start, int length, List<(int, string, string)> findings)
    {
        for (var match = SecretPatterns.AwsSecret().Match(text, start, length); match.Success; match = match.NextMatch())
            if (!match.Value.Contains("EXAMPLE", StringComparison.Ordinal) && LooksRandom(match.Groups["value"].Value))
                findings.Add((match.Index, SecretRules.AwsSecretKey, "aws_secret_access_key=…"));
    }

    private static void FindGcpServiceAccount(string text, List<(int, string, string)> findings)
    {
        if (!text.Contains("service_account", StringComparison.Ordinal) || !SecretPatterns.GcpType().IsMatch(text))
            return;
        foreach (Match match in SecretPatterns.GcpPrivateKey().Matches(text))
            findings.Add((match.Index, SecretRules.GcpServiceAccount, "\"private_key\": …"));
    }

    private static void FindHighEntropyAssignments(string text, int start, int length, List<(int, string, string)> findings)
    {
        for (var match = SecretPatterns.SecretAssignment().Match(text, start, length); match.Success; match = match.NextMatch())
        {
            var value = match.Groups["value"].Value;
            if (LooksRandom(value) && !LooksLikePath(value))
                findings.Add((match.Index, SecretRules.HighEntropy, match.Groups["name"].Value + "=…"));
        }
    }

    /// <summary>A path or a dotted name (/usr/lib/..., org.example.Token.v2) is not a secret value.</summary>
    private static bool LooksLikePath(string value) =>
        value.StartsWith('/') || value.Count(c => c == '/') >= 2 || value.Count(c => c == '.') >= 2;

    private static void FindByFileName(string path, string text, List<(int, string, string)> findings)
    {
        var name = Path.GetFileName(path);
        var parent = Path.GetFileName(Path.GetDirectoryName(path) ?? "");
        if (name is ".netrc" or "_netrc")
            AddEach(SecretPatterns.NetrcPassword(), text, SecretRules.Netrc, "password …", findings);
        else if (name == ".pgpass")
            FindPgpass(text, findings);
        else if (name is ".git-credentials" or "git-credentials" || (name == "credentials" && parent == "git"))
            AddEach(SecretPatterns.CredentialUrl(), text, SecretRules.GitCredentials, "scheme://user:…@", findings);
        else if ((name is "config.json" or ".dockercfg") && text.Contains("\"auths\"", StringComparison.Ordinal) || name == ".dockercfg")
            AddEach(SecretPatterns.DockerAuth(), text, SecretRules.DockerAuth, "\"auth\": …", findings);
    }

    private static void AddEach(Regex pattern, string text, string rule, string hint, List<(int, string, string)> findings)
    {
        foreach (Match match in pattern.Matches(text))
            findings.Add((match.Index, rule, hint));
    }

    /// <summary>hostname:port:database:username:password, colons escaped with a backslash; # starts a comment.</summary>
    private static void FindPgpass(string text, List<(int, string, string)> findings)
    {
        var offset = 0;
        foreach (var line in text.Split('\n'))
        {
            var fields = SplitUnescaped(line.TrimEnd('\r'));
            if (!line.TrimStart().StartsWith('#') && fields.Count == 5 && fields[4].Length > 0)
                findings.Add((offset, SecretRules.Pgpass, "host:port:db:user:…"));
            offset += line.Length + 1;
        }
    }

    private static List<string> SplitUnescaped(string line)
    {
        var fields = new List<string>();
        var current = new System.Text.StringBuilder();
        for (var i = 0; i < line.Length; i++)
        {
            if (line[i] == '\\' && i + 1 < line.Length)
                current.Append(line[++i]);
            else if (line[i] == ':')
            {
                fields.Add(current.ToString());
                current.Clear();
            }
            else
                current.Append(line[i]);
        }
        fields.Add(current.ToString());
        return fields;
    }

    /// <summary>Maps an offset to its 1-based line number.</summary>
    private sealed class LineIndex
    {
        private readonly List<int> newlines = [];

        public LineIndex(string text)
        {
            for (var i = text.IndexOf('\n'); i >= 0; i = text.IndexOf('\n', i + 1))
                newlines.Add(i);
        }

        public int LineOf(int offset)
        {
            var index = newlines.BinarySearch(offset);
            return (index >= 0 ? index : ~index) + 1;
        }
    }
}
