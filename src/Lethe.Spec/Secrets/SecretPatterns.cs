using System.Buffers;
using System.Text.RegularExpressions;

namespace Lethe.Spec.Secrets;

/// <summary>The regular expressions behind the rules. Token shapes follow each issuer's documented format.</summary>
internal static partial class SecretPatterns
{
    /// <summary>Every rule's match contains one of these (case ignored), so text without any is skipped.</summary>
    public static readonly SearchValues<string> Anchors = SearchValues.Create(
    [
        "-----BEGIN", "PuTTY-User-Key-File-", "AKIA", "ASIA", "ABIA", "ACCA", "ghp_", "gho_", "ghu_", "ghs_", "ghr_",
        "github_pat_", "glpat-", "xoxa-", "xoxb-", "xoxp-", "xoxr-", "xoxs-", "hooks.slack.com", "sk_live_", "rk_live_",
        "sk-", "eyJ", "passwd", "password", "passphrase", "secret", "token", "apikey", "api_key", "api-key", "api.key",
        "accesskey", "access_key", "access-key", "access.key", "privatekey", "private_key", "private-key", "private.key",
        "authkey", "auth_key", "auth-key", "auth.key", "credential",
    ], StringComparison.OrdinalIgnoreCase);

    /// <summary>Known token shapes, one named group per rule. sk-ant- comes before the OpenAI shape so that
    /// an Anthropic key is named as such.</summary>
    [GeneratedRegex("""
        (?<pk>-----BEGIN[ A-Z0-9]{0,30}PRIVATE\ KEY(?:\ BLOCK)?-----)
        |(?<putty>^PuTTY-User-Key-File-[0-9]+:)
        |(?<aws>\b(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}\b)
        |(?<gh>\b(?:gh[pousr]_[A-Za-z0-9]{36,255}|github_pat_[A-Za-z0-9_]{50,255})\b)
        |(?<gl>\bglpat-[A-Za-z0-9_-]{20,})
        |(?<slack>\bxox[abprs]-[A-Za-z0-9-]{10,})
        |(?<hook>https://hooks\.slack\.com/(?:services|workflows)/T[A-Za-z0-9]+/[A-Za-z0-9]+/[A-Za-z0-9]{16,})
        |(?<stripe>\b[sr]k_live_[A-Za-z0-9]{20,})
        |(?<ant>\bsk-ant-[A-Za-z0-9_-]{32,})
        |(?<oai>\bsk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_-]{32,})
        |(?<jwt>\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{16,})
        """, RegexOptions.Multiline | RegexOptions.IgnorePatternWhitespace | RegexOptions.CultureInvariant)]
    public static partial Regex Tokens();

    public static readonly (string Group, string Rule)[] TokenGroups =
    [
        ("pk", SecretRules.PrivateKey), ("putty", SecretRules.PuttyKey), ("aws", SecretRules.AwsAccessKeyId),
        ("gh", SecretRules.GitHubToken), ("gl", SecretRules.GitLabToken), ("slack", SecretRules.SlackToken),
        ("hook", SecretRules.SlackWebhook), ("stripe", SecretRules.StripeKey), ("ant", SecretRules.AnthropicKey),
        ("oai", SecretRules.OpenAiKey), ("jwt", SecretRules.Jwt),
    ];

    /// <summary>After a private key header: armor headers (Proc-Type, DEK-Info, Version) or blank lines, then
    /// a run of base64. Newlines may be real or written as \n (a key inside a JSON string).</summary>
    [GeneratedRegex(@"\G(?:(?:\\r|\\n|[\r\n])+|[A-Za-z-]{2,20}:[^\r\n\\]*)*[A-Za-z0-9+/]{40}", RegexOptions.CultureInvariant)]
    public static partial Regex PrivateKeyBody();

    /// <summary>A name that says it holds a secret, followed by an assignment (=, :, =&gt;, :=) and a value.
    /// The value is checked apart (<see cref="SecretScanner.LooksRandom"/>).</summary>
    [GeneratedRegex("""
        (?<name>\b[A-Za-z0-9_.-]*(?:passw(?:or)?d|passphrase|secret|token|api[_.-]?key|access[_.-]?key|private[_.-]?key|auth[_.-]?key|credential)[A-Za-z0-9_]*)
        ["']?\s*(?:=>|:=|=|:)\s*[\[(]?["']?(?<value>[A-Za-z0-9+/=_.~-]{16,})
        """, RegexOptions.IgnoreCase | RegexOptions.IgnorePatternWhitespace | RegexOptions.CultureInvariant)]
    public static partial Regex SecretAssignment();

    [GeneratedRegex(@"passw(?:or)?d|passphrase|secret|token|api[_.-]?key|access[_.-]?key|private[_.-]?key|auth[_.-]?key|credential",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    public static partial Regex SecretName();

    [GeneratedRegex("""aws_?secret_?access_?key["']?\s*[:=]\s*["']?(?<value>[A-Za-z0-9/+]{40})(?![A-Za-z0-9/+])""",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    public static partial Regex AwsSecret();

    [GeneratedRegex("\"type\"\\s*:\\s*\"service_account\"", RegexOptions.CultureInvariant)]
    public static partial Regex GcpType();

    [GeneratedRegex("\"private_key\"\\s*:\\s*\"-----BEGIN", RegexOptions.CultureInvariant)]
    public static partial Regex GcpPrivateKey();

    [GeneratedRegex(@"(?:^|\s)password\s+\S", RegexOptions.Multiline | RegexOptions.CultureInvariant)]
    public static partial Regex NetrcPassword();

    [GeneratedRegex(@"^[a-z][a-z0-9+.-]*://[^:@/\s]+:[^@\s]+@", RegexOptions.Multiline | RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    public static partial Regex CredentialUrl();

    [GeneratedRegex("\"(?:auth|identitytoken)\"\\s*:\\s*\"[A-Za-z0-9+/=._-]{4,}\"", RegexOptions.CultureInvariant)]
    public static partial Regex DockerAuth();
}
