using Lethe.Core;
using Lethe.Machine.Audit;
using Lethe.Spec.Secrets;

namespace Lethe.Tests.Secrets;

public sealed class AuditIgnoreTests
{
    private static readonly SecretFinding KeyInImage = new("image:/usr/share/doc/x/test.pem", 3, SecretRules.PrivateKey, "PRIVATE KEY");
    private static readonly SecretFinding TokenInImage = new("image:/usr/share/doc/x/test.pem", 9, SecretRules.GitHubToken, "ghp_…");
    private static readonly SecretFinding HostFile = new("files/app.conf", 2, SecretRules.HighEntropy, "API_KEY=…");

    [Fact]
    public void A_path_and_rule_entry_silences_only_that_rule()
    {
        var entries = AuditIgnore.Parse("# comment\n\nimage:/usr/share/doc/x/test.pem:private-key # a test vector shipped by the package\n", "f");
        var (standing, ignored) = AuditIgnore.Apply([KeyInImage, TokenInImage, HostFile], entries);
        ignored.ShouldBe([KeyInImage]);
        standing.ShouldBe([TokenInImage, HostFile]);
    }

    [Fact]
    public void A_path_entry_silences_every_rule_and_a_folder_entry_everything_below()
    {
        var (standing, _) = AuditIgnore.Apply([KeyInImage, TokenInImage, HostFile], AuditIgnore.Parse("image:/usr/share/doc/ # documentation examples\n", "f"));
        standing.ShouldBe([HostFile]);
        AuditIgnore.Apply([HostFile], AuditIgnore.Parse("files/app.conf # a made-up key for the demo\n", "f")).Standing.ShouldBeEmpty();
    }

    [Theory]
    [InlineData("files/app.conf")]
    [InlineData("files/app.conf #")]
    [InlineData("files/app.conf #   ")]
    [InlineData("files/app.conf:private-key")]
    public void An_entry_without_a_reason_is_a_usage_error(string line)
    {
        var error = Should.Throw<UsageException>(() => AuditIgnore.Parse($"# header\n{line}\n", "lethe.audit-ignore"));
        error.Message.ShouldStartWith("lethe.audit-ignore:2: an ignore entry needs a reason");
        error.ExitCode.ShouldBe(ExitCodes.Usage);
    }

    [Fact]
    public void A_colon_that_names_no_rule_stays_part_of_the_path() =>
        AuditIgnore.Parse("image:/etc/x:y # odd name\n", "f").ShouldHaveSingleItem().ShouldBe(new AuditIgnoreEntry("image:/etc/x:y", null, "odd name", 1));
}

public sealed class SecretFindingTests
{
    [Fact]
    public void A_control_character_in_a_path_is_shown_escaped() =>
        new SecretFinding("image:/etc/a\u001b[2Jb", 3, "jwt", "eyJ…").ToString().ShouldBe("image:/etc/a\\x1b[2Jb:3: jwt (eyJ…)");
}
