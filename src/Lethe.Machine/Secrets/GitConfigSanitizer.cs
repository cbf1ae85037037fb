using System.Text.RegularExpressions;

namespace Lethe.Machine.Secrets;

/// <summary>Which agents a machine's sessions get: signing is staged only where it goes through one.</summary>
public sealed record SigningAgents(bool Ssh, bool Gpg);

/// <summary>The sanitized config (null: nothing to stage) and what the user should know, one line each, never a value.</summary>
public sealed record SanitizedGitConfig(string? Text, IReadOnlyList<string> Notes);

/// <summary>
/// Pure: share.git_config. The host's global git config, cut down to what may enter a machine: no
/// credential section or helper, no include (the included files are not staged), no http extra header,
/// no variable named like a token, password or secret, no value carrying a token or a URL with a
/// password, and commit signing only where its agent is forwarded (an ssh signing key given as a .pub
/// file becomes <c>key::</c> plus the public key, which git in the guest signs with through the agent).
/// The result is written back in canonical form: comments and anything not parsed never leave the host.
/// </summary>
public static partial class GitConfigSanitizer
{
    private static readonly HashSet<string> SigningKeys = ["user.signingkey", "commit.gpgsign", "tag.gpgsign", "push.gpgsign", "tag.forcesignannotated"];

    /// <param name="configs">The files git reads as the global config, in git's order: (name to show, text).</param>
    /// <param name="home">The host user's home, for <c>~/</c> in a signing key's path.</param>
    /// <param name="readPublicKeyFile">Reads a .pub file (null: unreadable); the only host access, injected.</param>
    public static SanitizedGitConfig Sanitize(IReadOnlyList<(string Name, string Text)> configs, SigningAgents agents, string home, Func<string, string?> readPublicKeyFile)
    {
        var notes = new List<string>();
        var entries = new List<GitConfigEntry>();
        foreach (var (name, text) in configs)
        {
            try
            {
                entries.AddRange(GitConfigSyntax.Parse(text));
            }
            catch (GitConfigSyntaxException e)
            {
                return new SanitizedGitConfig(null, [$"share.git_config: {name}: {e.Message}, so nothing is staged"]);
            }
        }
        var kept = new List<GitConfigEntry>();
        var droppedIncludes = false;
        foreach (var entry in entries)
        {
            if (entry.Section is "include" or "includeif")
                droppedIncludes = true;
            else if (!IsSecret(entry) && !IsHostProgram(entry))
                kept.Add(entry);
        }
        if (droppedIncludes)
            notes.Add("share.git_config: include and includeIf are dropped (the files they name are not staged)");
        kept = Signing(kept, agents, home, readPublicKeyFile, notes);
        return new SanitizedGitConfig(kept.Count == 0 ? null : GitConfigSyntax.Write(kept), notes);
    }

    /// <summary>Whether a variable is, or may carry, a credential.</summary>
    public static bool IsSecret(GitConfigEntry entry) =>
        entry.Section == "credential"
        || entry is { Section: "http", Key: "extraheader" }
        || SecretName().IsMatch(entry.Section) || SecretName().IsMatch(entry.Key)
        // A stray token on a line of its own reads as a bare variable named by it: no real key is that long.
        || entry.Key.Length > MaxKeyLength || CarriesCredential(entry.Key)
        || CarriesCredential(entry.Subsection) || CarriesCredential(entry.Value);

    private const int MaxKeyLength = 48;

    /// <summary>A URL with a password (or any user on http, where the user part is often the token), or a known token's shape.</summary>
    public static bool CarriesCredential(string? text)
    {
        if (string.IsNullOrEmpty(text))
            return false;
        if (KnownToken().IsMatch(text))
            return true;
        foreach (Match url in UrlUserInfo().Matches(text))
        {
            var scheme = url.Groups["scheme"].Value.ToLowerInvariant();
            if (url.Groups["userinfo"].Value.Contains(':', StringComparison.Ordinal) || scheme is "http" or "https" or "ftp" or "ftps")
                return true;
        }
        return false;
    }

    /// <summary>Programs named by host path (gpg.program, gpg.ssh.program): the guest uses its own gpg and ssh-keygen.</summary>
    private static bool IsHostProgram(GitConfigEntry entry) => entry is { Section: "gpg", Key: "program" };

    private static bool IsSigning(GitConfigEntry entry) => entry.Section == "gpg" || SigningKeys.Contains($"{entry.Section}.{entry.Key}") && entry.Subsection is null;

    private static List<GitConfigEntry> Signing(List<GitConfigEntry> entries, SigningAgents agents, string home, Func<string, string?> readPublicKeyFile, List<string> notes)
    {
        var signing = entries.Where(IsSigning).ToList();
        if (signing.Count == 0)
            return entries;
        var format = (entries.LastOrDefault(e => e is { Section: "gpg", Subsection: null, Key: "format" })?.Value ?? "openpgp").ToLowerInvariant();
        var (forwarded, needs) = format switch
        {
            "ssh" => (agents.Ssh, "ssh.forward_agent: true"),
            "openpgp" => (agents.Gpg, "gpg.forward_agent: true"),
            _ => (false, "an agent lethe forwards (ssh or openpgp)"),
        };
        string? refusal = forwarded ? null : $"gpg.format {format} signs through {needs}, which this machine does not have";
        var result = new List<GitConfigEntry>();
        foreach (var entry in entries)
        {
            if (!IsSigning(entry))
                result.Add(entry);
            else if (refusal is null && format == "ssh" && entry is { Section: "user", Key: "signingkey" })
            {
                var key = SshSigningKey(entry.Value, home, readPublicKeyFile, out var problem);
                if (key is null)
                    refusal = problem;
                else
                    result.Add(entry with { Value = key });
            }
            else if (refusal is null)
                result.Add(entry);
        }
        if (refusal is null)
            return result;
        notes.Add($"share.git_config: commit and tag signing settings are dropped: {refusal}");
        return [.. entries.Where(e => !IsSigning(e))];
    }

    /// <summary>The key as the guest's git can use it: a literal key stays, a .pub file becomes key::TYPE BASE64.</summary>
    private static string? SshSigningKey(string? value, string home, Func<string, string?> readPublicKeyFile, out string problem)
    {
        problem = "";
        if (value is null || value.StartsWith("key::", StringComparison.Ordinal) || PublicKeyLine().IsMatch(value))
            return value;
        var path = value.StartsWith("~/", StringComparison.Ordinal) ? Path.Join(home, value[2..]) : value;
        if (!path.EndsWith(".pub", StringComparison.Ordinal) || !Path.IsPathRooted(path))
        {
            problem = "user.signingkey names a private key file or a relative path; point it at the public key (a .pub file) or write key::…";
            return null;
        }
        var line = readPublicKeyFile(path)?.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault();
        var match = line is null ? null : PublicKeyLine().Match(line);
        if (match is not { Success: true })
        {
            problem = "user.signingkey's .pub file cannot be read or holds no public key";
            return null;
        }
        return $"key::{match.Groups["type"].Value} {match.Groups["key"].Value}";
    }

    [GeneratedRegex(@"token|passw|secret|smtppass|apikey|api-key|privatekey|private-key|askpass|cookie|credential", RegexOptions.IgnoreCase)]
    private static partial Regex SecretName();

    [GeneratedRegex(@"(?<scheme>[A-Za-z][A-Za-z0-9+.-]*)://(?<userinfo>[^/?#@\s]*)@")]
    private static partial Regex UrlUserInfo();

    [GeneratedRegex(@"gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,}|glpat-[A-Za-z0-9_-]{20,}|xox[abposr]-[A-Za-z0-9-]{10,}|sk-[A-Za-z0-9_-]{20,}|AKIA[0-9A-Z]{16}|AIza[0-9A-Za-z_-]{35}|-----BEGIN [A-Z ]*PRIVATE KEY", RegexOptions.IgnoreCase)]
    private static partial Regex KnownToken();

    [GeneratedRegex(@"\A(?<type>ssh-[a-z0-9-]+|ecdsa-sha2-nistp(256|384|521)|sk-[a-z0-9@.-]+)\s+(?<key>[A-Za-z0-9+/]+={0,3})(\s.*)?\z")]
    private static partial Regex PublicKeyLine();
}
