using System.Security.Cryptography;
using Lethe.Spec.Secrets;

namespace Lethe.Tests.Secrets;

public sealed class SecretScannerTests
{
    public static TheoryData<string> Kinds() => [.. SecretCorpus.All().Select(sample => sample.Kind).Distinct()];

    public static TheoryData<string> NearMissKinds() => [.. SecretCorpus.NearMisses().Select(miss => miss.Kind)];

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Finds_every_kind_with_its_rule_and_line(string kind)
    {
        foreach (var sample in SecretCorpus.All().Where(s => s.Kind == kind))
        {
            var findings = SecretScanner.Scan("dir/" + sample.FileName, sample.Text);
            findings.ShouldContain(f => f.Rule == sample.Rule && f.Line == sample.Line && f.Path == "dir/" + sample.FileName,
                $"{kind}: got {string.Join("; ", findings)}");
            findings.ShouldAllBe(f => f.Line == sample.Line, $"{kind}: got {string.Join("; ", findings)}");
        }
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void A_finding_never_carries_the_secret(string kind)
    {
        foreach (var sample in SecretCorpus.All().Where(s => s.Kind == kind))
        {
            var secretLine = sample.Text.Split('\n')[sample.Line - 1];
            foreach (var finding in SecretScanner.Scan(sample.FileName, sample.Text))
            {
                finding.Hint.Length.ShouldBeLessThan(30);
                // No run of 12 characters of the secret's line that is not a public prefix appears in the report.
                var report = finding.ToString();
                for (var i = 0; i + 12 <= secretLine.Length; i++)
                {
                    var piece = secretLine.Substring(i, 12);
                    if (piece.Any(char.IsAsciiDigit) && !report.StartsWith(sample.FileName, StringComparison.Ordinal))
                        report.ShouldNotContain(piece);
                    else if (piece.Any(char.IsAsciiDigit))
                        report[sample.FileName.Length..].ShouldNotContain(piece);
                }
            }
        }
    }

    [Theory]
    [MemberData(nameof(NearMissKinds))]
    public void Near_misses_are_not_found(string kind)
    {
        var (_, fileName, text) = SecretCorpus.NearMisses().Single(miss => miss.Kind == kind);
        SecretScanner.Scan(fileName, text).ShouldBeEmpty();
    }

    [Fact]
    public void The_same_token_in_a_file_of_another_name_is_still_found()
    {
        var token = "glpat-" + SecretCorpus.Random(20);
        SecretScanner.Scan("notes.txt", $"a\nb\n{token}\n").ShouldHaveSingleItem().Line.ShouldBe(3);
    }

    [Fact]
    public void Each_line_with_a_secret_is_one_finding_even_when_a_vaguer_rule_also_matches()
    {
        var text = "aws_secret_access_key = " + SecretCorpus.Random(40) + "\n";
        SecretScanner.Scan("credentials", text).ShouldHaveSingleItem().Rule.ShouldBe(SecretRules.AwsSecretKey);
    }

    [Fact]
    public void The_entropy_threshold_keeps_random_values_and_drops_identifiers()
    {
        // 1000 CSPRNG values of each shape: at most a handful under the threshold (measured 0.1 % at 20 characters).
        var misses = Enumerable.Range(0, 1000).Count(_ => !SecretScanner.LooksRandom(SecretCorpus.Random(24)));
        misses.ShouldBeLessThanOrEqualTo(3);
        var hexMisses = Enumerable.Range(0, 1000).Count(_ => !SecretScanner.LooksRandom(Convert.ToHexString(RandomNumberGenerator.GetBytes(16)).ToLowerInvariant()));
        hexMisses.ShouldBeLessThanOrEqualTo(3);
        foreach (var identifier in new[] { "x86_64-linux-gnu", "TLS_AES_128_GCM_SHA256", "user1234user1234", "password12345678", "authorization_header_value" })
            SecretScanner.LooksRandom(identifier).ShouldBeFalse(identifier);
    }

    [Theory]
    [InlineData("GITHUB_TOKEN", "ghp_")]
    [InlineData("WHATEVER", "sk-ant-api03-")]
    [InlineData("API_KEY", "")]
    public void A_value_is_classified_as_secret(string name, string prefix) =>
        SecretScanner.Classify(name, prefix + SecretCorpus.Random(prefix.Length == 0 ? 32 : 40)).ShouldNotBeNull();

    [Theory]
    [InlineData("EDITOR", "vim")]
    [InlineData("LANG", "C.UTF-8")]
    [InlineData("PATH_EXTRA", "/opt/tool-1.2.3/bin")]
    [InlineData("GIT_COMMIT", "3f9a1c0e5b7d2a4c6e8f0a1b3c5d7e9f1a2b3c4d")]
    [InlineData("TOKEN_FILE", "/run/secrets/token")]
    public void A_plain_value_is_not(string name, string value) => SecretScanner.Classify(name, value).ShouldBeNull();

    [Fact]
    public void A_random_value_under_a_plain_name_is_not_refused() =>
        SecretScanner.Classify("BUILD_ID", SecretCorpus.Random(32)).ShouldBeNull();

    [Fact]
    public void A_private_key_in_a_value_is() =>
        SecretScanner.Classify("CONFIG", ECDsa.Create().ExportPkcs8PrivateKeyPem()).ShouldBe(SecretRules.PrivateKey);
}
