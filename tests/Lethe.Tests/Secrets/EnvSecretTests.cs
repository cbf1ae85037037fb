using Lethe.Spec;
using Lethe.Tests.Spec;

namespace Lethe.Tests.Secrets;

/// <summary>env: is for values that are not secret; a secret-looking value is a spec error at its position.</summary>
public sealed class EnvSecretTests
{
    [Fact]
    public void A_token_in_env_is_refused_at_its_value_without_echoing_it()
    {
        var token = "ghp_" + SecretCorpus.Random(36);
        var errors = SpecAssert.Errors($"name: x\nenv:\n  EDITOR: vim\n  GH: {token}\n");
        errors.ShouldHaveSingleItem().ShouldStartWith("4:7: env.GH: this value looks like a secret (github-token)");
        errors[0].ShouldContain("ssh.send_env");
        errors[0].ShouldNotContain(token[4..]);
    }

    [Fact]
    public void A_random_value_under_a_secret_name_is_refused()
    {
        var errors = SpecAssert.Errors($"env:\n  DATABASE_PASSWORD: \"{SecretCorpus.Random(28)}\"\n");
        errors.ShouldHaveSingleItem().ShouldStartWith("2:22: env.DATABASE_PASSWORD: this value looks like a secret (high-entropy-secret)");
    }

    [Fact]
    public void A_private_key_in_env_is_refused()
    {
        var key = System.Security.Cryptography.ECDsa.Create().ExportPkcs8PrivateKeyPem().Replace("\n", "\n    ", StringComparison.Ordinal);
        SpecAssert.Errors($"env:\n  KEY: |\n    {key}\n").ShouldHaveSingleItem().ShouldContain("(private-key)");
    }

    [Fact]
    public void Plain_values_pass()
    {
        var spec = SpecAssert.Valid("env:\n  EDITOR: vim\n  API_URL: https://api.example.com/v1\n  TOKEN_FILE: /run/secrets/token\n  PASSWORD_PROMPT: \"yes\"\n");
        spec.Env["EDITOR"].ShouldBe("vim");
    }

    [Fact]
    public void The_embedded_default_spec_passes() => SpecLoader.Default().Env.ShouldNotBeNull();
}
