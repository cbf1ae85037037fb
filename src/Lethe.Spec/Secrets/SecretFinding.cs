namespace Lethe.Spec.Secrets;

/// <summary>A secret found in a text: where (path as the caller names it, 1-based line), which rule, and a
/// redacted hint (at most the first few characters of the match, never the secret itself).</summary>
public sealed record SecretFinding(string Path, int Line, string Rule, string Hint)
{
    /// <summary>PATH:LINE: RULE (hint), the form every report uses.</summary>
    public override string ToString() => $"{Printable(Path)}:{Line}: {Rule}{(Hint.Length > 0 ? $" ({Printable(Hint)})" : "")}";

    /// <summary>A file name inside an image may hold control characters; they are shown escaped, never sent to the terminal.</summary>
    public static string Printable(string text) =>
        text.Any(char.IsControl) ? string.Concat(text.Select(c => char.IsControl(c) ? $"\\x{(int)c:x2}" : c.ToString())) : text;
}

/// <summary>The rule names a finding can carry.</summary>
public static class SecretRules
{
    public const string PrivateKey = "private-key";
    public const string PuttyKey = "putty-private-key";
    public const string AwsAccessKeyId = "aws-access-key-id";
    public const string AwsSecretKey = "aws-secret-access-key";
    public const string GcpServiceAccount = "gcp-service-account";
    public const string GitHubToken = "github-token";
    public const string GitLabToken = "gitlab-token";
    public const string SlackToken = "slack-token";
    public const string SlackWebhook = "slack-webhook";
    public const string StripeKey = "stripe-key";
    public const string OpenAiKey = "openai-key";
    public const string AnthropicKey = "anthropic-key";
    public const string Jwt = "jwt";
    public const string Netrc = "netrc-password";
    public const string Pgpass = "pgpass-password";
    public const string GitCredentials = "git-credentials";
    public const string DockerAuth = "docker-config-auth";
    public const string HighEntropy = "high-entropy-secret";

    public static readonly IReadOnlyList<string> All =
    [
        PrivateKey, PuttyKey, AwsAccessKeyId, AwsSecretKey, GcpServiceAccount, GitHubToken, GitLabToken, SlackToken,
        SlackWebhook, StripeKey, OpenAiKey, AnthropicKey, Jwt, Netrc, Pgpass, GitCredentials, DockerAuth, HighEntropy,
    ];

    /// <summary>Bumped whenever a rule changes, so that cached scan results of images are redone.</summary>
    public const int Version = 1;
}
