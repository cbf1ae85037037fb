using System.Security.Cryptography;
using System.Text;
using Lethe.Spec.Secrets;

namespace Lethe.Tests.Secrets;

/// <summary>
/// Made-up but well-formed secrets of every kind the scanner knows, built at test time (fresh keys, random
/// tokens), so that no secret-looking literal sits in the repository. Each sample is a file name, its text, and
/// the line and rule the scanner must report.
/// </summary>
public static class SecretCorpus
{
    public sealed record Sample(string Kind, string FileName, string Text, int Line, string Rule);

    private const string Alnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    private const string Base64Chars = Alnum + "+/";

    /// <summary>Random letters and digits, always with both (as every real token has).</summary>
    public static string Random(int length, string alphabet = Alnum) =>
        "7a" + RandomNumberGenerator.GetString(alphabet, length - 2);

    private static string Filler(int lines) => string.Concat(Enumerable.Range(1, lines).Select(i => $"# line {i} of plain text\n"));

    private static string At(int line, string secret, string after = "\nend\n") => Filler(line - 1) + secret + after;

    private static readonly Lazy<IReadOnlyList<Sample>> Samples = new(() => [.. Build()]);

    /// <summary>Built once per test run: key generation is slow on a busy machine.</summary>
    public static IReadOnlyList<Sample> All() => Samples.Value;

    private static IEnumerable<Sample> Build()
    {
        yield return new("RSA PKCS#1", "id_rsa", At(3, RSA.Create(2048).ExportRSAPrivateKeyPem()), 3, SecretRules.PrivateKey);
        yield return new("PKCS#8", "key.pem", At(4, RSA.Create(2048).ExportPkcs8PrivateKeyPem()), 4, SecretRules.PrivateKey);
        yield return new("encrypted PKCS#8", "enc.pem", At(2, ECDsa.Create(ECCurve.NamedCurves.nistP256)
            .ExportEncryptedPkcs8PrivateKeyPem("made-up passphrase", new PbeParameters(PbeEncryptionAlgorithm.Aes256Cbc, HashAlgorithmName.SHA256, 1000))), 2, SecretRules.PrivateKey);
        yield return new("EC", "ec.pem", At(5, ECDsa.Create(ECCurve.NamedCurves.nistP384).ExportECPrivateKeyPem()), 5, SecretRules.PrivateKey);
        yield return new("DSA (traditional)", "dsa.pem", At(2, Pem("DSA PRIVATE KEY", RandomNumberGenerator.GetBytes(440))), 2, SecretRules.PrivateKey);
        yield return new("legacy encrypted RSA", "legacy.pem", At(3, "-----BEGIN RSA " + "PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,"
            + Convert.ToHexString(RandomNumberGenerator.GetBytes(16)) + "\n\n" + Wrapped(RandomNumberGenerator.GetBytes(1200)) + "-----END RSA PRIVATE KEY-----"), 3, SecretRules.PrivateKey);
        yield return new("OpenSSH", "id_ed25519", At(1, Pem("OPENSSH PRIVATE KEY", [.. "openssh-key-v1\0"u8, .. RandomNumberGenerator.GetBytes(380)])), 1, SecretRules.PrivateKey);
        yield return new("PGP secret key", "secret.asc", At(2, "-----BEGIN PGP " + "PRIVATE KEY BLOCK-----\nComment: made up\n\n" + Wrapped(RandomNumberGenerator.GetBytes(600))
            + "-----END PGP PRIVATE KEY BLOCK-----"), 2, SecretRules.PrivateKey);
        yield return new("PuTTY", "key.ppk", At(1, "PuTTY-User-Key-File-3: ssh-ed25519\nEncryption: none\nComment: made up\nPublic-Lines: 2\n"
            + Wrapped(RandomNumberGenerator.GetBytes(48)) + "Private-Lines: 1\n" + Wrapped(RandomNumberGenerator.GetBytes(48))), 1, SecretRules.PuttyKey);
        yield return new("AWS key id", "credentials", At(2, "aws_access_key_id = AKIA" + RandomNumberGenerator.GetString("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 16)), 2, SecretRules.AwsAccessKeyId);
        yield return new("AWS secret", "credentials", At(3, "aws_secret_access_key = " + Random(40, Base64Chars)), 3, SecretRules.AwsSecretKey);
        yield return new("GCP service account", "sa.json", GcpServiceAccount(), 4, SecretRules.GcpServiceAccount);
        foreach (var kind in new[] { "ghp", "gho", "ghu", "ghs", "ghr" })
            yield return new($"GitHub {kind}", "env.sh", At(2, $"export GH={kind}_" + Random(36)), 2, SecretRules.GitHubToken);
        yield return new("GitHub fine-grained", "env.sh", At(3, "token: github_" + "pat_" + Random(22) + "_" + Random(59)), 3, SecretRules.GitHubToken);
        yield return new("GitLab", "ci.yml", At(2, "  GL: glpat-" + Random(20)), 2, SecretRules.GitLabToken);
        yield return new("Slack bot", "bot.py", At(6, "client = Slack(\"xoxb-" + RandomNumberGenerator.GetString("0123456789", 12) + "-" + Random(24) + "\")"), 6, SecretRules.SlackToken);
        yield return new("Slack webhook", "notify.sh", At(2, "curl https://hooks.slack.com/services/T" + Random(8).ToUpperInvariant() + "/B" + Random(8).ToUpperInvariant() + "/" + Random(24)), 2, SecretRules.SlackWebhook);
        yield return new("Stripe secret", "pay.js", At(3, "const k = 'sk_" + "live_" + Random(24) + "';"), 3, SecretRules.StripeKey);
        yield return new("Stripe restricted", "pay.js", At(2, "const k = 'rk_" + "live_" + Random(24) + "';"), 2, SecretRules.StripeKey);
        yield return new("OpenAI project", "agent.env", At(2, "KEY=sk-proj-" + Random(48) + "_" + Random(40)), 2, SecretRules.OpenAiKey);
        yield return new("OpenAI legacy", "agent.env", At(4, "value is sk-" + Random(48)), 4, SecretRules.OpenAiKey);
        yield return new("Anthropic", "agent.env", At(3, "K=sk-ant-api03-" + Random(93) + "-" + Random(6) + "AA"), 3, SecretRules.AnthropicKey);
        yield return new("JWT", "request.http", At(2, "Authorization: Bearer " + Jwt()), 2, SecretRules.Jwt);
        yield return new(".netrc", ".netrc", "machine example.com\n  login me\n  password " + Random(12) + "\n", 3, SecretRules.Netrc);
        yield return new(".netrc one line", ".netrc", "default login anonymous\nmachine example.org login me password " + Random(12) + "\n", 2, SecretRules.Netrc);
        yield return new(".pgpass", ".pgpass", "# host:port:db:user:password\ndb.example.com:5432:app:me:" + Random(14) + "\n", 2, SecretRules.Pgpass);
        yield return new(".git-credentials", ".git-credentials", "https://me:" + Random(30) + "@git.example.com\n", 1, SecretRules.GitCredentials);
        yield return new("docker config.json", "config.json", "{\n  \"auths\": {\n    \"registry.example.com\": {\n      \"auth\": \""
            + Convert.ToBase64String(Encoding.ASCII.GetBytes("me:" + Random(20))) + "\"\n    }\n  }\n}\n", 4, SecretRules.DockerAuth);
        yield return new("high entropy under a secret name", "app.conf", At(3, "DB_PASSWORD=" + Random(24)), 3, SecretRules.HighEntropy);
        yield return new("high entropy hex under a secret name", "settings.py", At(2, "SECRET_KEY = '" + Convert.ToHexString(RandomNumberGenerator.GetBytes(24)).ToLowerInvariant() + "'"), 2, SecretRules.HighEntropy);
        yield return new("high entropy in YAML", "values.yaml", At(4, "  apiKey: \"" + Random(32) + "\""), 4, SecretRules.HighEntropy);
    }

    /// <summary>Texts that look close to a secret but are not one: none may be reported.</summary>
    public static IEnumerable<(string Kind, string FileName, string Text)> NearMisses()
    {
        yield return ("public key PEM", "pub.pem", RSA.Create(2048).ExportSubjectPublicKeyInfoPem());
        yield return ("certificate", "cert.pem", Pem("CERTIFICATE", RandomNumberGenerator.GetBytes(800)));
        yield return ("SSH public key", "id_ed25519.pub", "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI" + Random(43, Base64Chars) + " me@host\n");
        yield return ("a PEM header in code, without a key", "pem.py", "if line == \"-----BEGIN RSA " + "PRIVATE KEY-----\":\n    kind = 'rsa'\n");
        yield return ("a PEM header in documentation", "README", "A key file starts with -----BEGIN OPENSSH " + "PRIVATE KEY----- and ends with\nits END line.\n");
        yield return ("AWS documentation example", "aws.md", "aws_access_key_id = AKIA" + "IOSFODNN7EXAMPLE\naws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCY" + "EXAMPLEKEY\n");
        yield return ("too short a GitHub token", "x.txt", "ghp_" + Random(10) + "\n");
        yield return ("sk- followed by words", "x.txt", "use the flag --disk-sk-this-is-only-a-long-option-name-here\n");
        yield return ("sk- in a hyphenated name", "x.txt", "package sk-plain-words-without-any-digits-at-all-in-it\n");
        yield return ("a path under a secret name", "app.conf", "PASSWORD_FILE=/etc/app/secrets/password-2024.txt\n");
        yield return ("a word under a secret name", "app.conf", "token = authorization_header_bearer_value\n");
        yield return ("a short value under a secret name", "app.conf", "password = hunter2\n");
        yield return ("an identifier under a secret name", "conf.h", "#define TOKEN_TYPE_REFRESH_V2 TOKEN_KIND\n");
        yield return ("a Slack prefix alone", "x.txt", "tokens start with xoxb- and then digits\n");
        yield return (".netrc without a password", ".netrc", "machine example.com login me\n");
        yield return (".pgpass comment only", ".pgpass", "# hostname:port:database:username:password\n");
        yield return ("docker config without auths", "config.json", "{\n  \"credsStore\": \"desktop\"\n}\n");
        yield return ("a JWT header alone", "x.txt", "eyJhbGciOiJIUzI1NiJ9 is a header\n");
        yield return (".git-credentials without a password", ".git-credentials", "https://git.example.com\n");
    }

    public static string Pem(string label, byte[] body) => $"-----BEGIN {label}-----\n{Wrapped(body)}-----END {label}-----";

    private static string Wrapped(byte[] body) =>
        string.Concat(Convert.ToBase64String(body).Chunk(64).Select(line => new string(line) + "\n"));

    private static string GcpServiceAccount()
    {
        var key = RSA.Create(2048).ExportPkcs8PrivateKeyPem().Replace("\n", "\\n", StringComparison.Ordinal);
        return "{\n  \"type\": \"service_account\",\n  \"project_id\": \"made-up\",\n  \"private_key\": \"" + key
            + "\",\n  \"client_email\": \"x@made-up.iam.gserviceaccount.com\"\n}\n";
    }

    private static string Jwt()
    {
        static string Part(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        var header = Part("{\"alg\":\"HS256\",\"typ\":\"JWT\"}"u8.ToArray());
        var payload = Part(Encoding.UTF8.GetBytes($"{{\"sub\":\"{Random(12)}\",\"iat\":1700000000}}"));
        var signature = Part(HMACSHA256.HashData(RandomNumberGenerator.GetBytes(32), Encoding.ASCII.GetBytes(header + "." + payload)));
        return $"{header}.{payload}.{signature}";
    }
}
