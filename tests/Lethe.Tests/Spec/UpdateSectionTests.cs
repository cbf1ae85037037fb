using Lethe.Spec;

namespace Lethe.Tests.Spec;

/// <summary>update: the source a workstation follows, how often, and the signers a channel must be signed by.</summary>
public sealed class UpdateSectionTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("lethe-update-spec-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private string SpecPath => Path.Combine(_folder, "lethe.yaml");

    private UpdateSpec Valid(string yaml)
    {
        var result = SpecLoader.Parse(yaml, SpecPath);
        result.Errors.ShouldBeEmpty();
        return result.Spec.ShouldNotBeNull().Update.ShouldNotBeNull();
    }

    private string[] Errors(string yaml) => [.. SpecLoader.Parse(yaml, SpecPath).Errors.Select(e => $"{e.Line}:{e.Column}: {e.Message}")];

    [Fact]
    public void Without_the_section_the_machine_follows_nothing() =>
        SpecLoader.Parse("name: a", SpecPath).Spec.ShouldNotBeNull().Update.ShouldBeNull();

    [Fact]
    public void A_folder_source_means_its_lethe_yaml_and_every_defaults_to_an_hour()
    {
        Directory.CreateDirectory(Path.Combine(_folder, "src"));
        var update = Valid("update:\n  source: ./src");
        update.Kind.ShouldBe(UpdateSourceKind.Path);
        update.Location.ShouldBe(Path.Combine(_folder, "src", "lethe.yaml"));
        update.Every.ShouldBe(TimeSpan.FromHours(1));
        update.Keep.ShouldBe(3);
    }

    [Fact]
    public void A_git_source_keeps_its_url_and_branch()
    {
        var update = Valid("update:\n  source: git https://example.org/team/dev.git#main\n  every: 30m\n  keep: 5");
        update.ShouldBe(new UpdateSpec(UpdateSourceKind.Git, "https://example.org/team/dev.git", "main", TimeSpan.FromMinutes(30), null, 5));
        Valid("update: {source: git file:///srv/dev.git}").Branch.ShouldBeNull();
    }

    [Theory]
    [InlineData("git --upload-pack=touch${IFS}x", "2:11: update.source: '--upload-pack=touch${IFS}x' is not a repository URL git may fetch")]
    [InlineData("git ext::sh -c touch% /tmp/x", "2:11: update.source: 'ext::sh -c touch% /tmp/x' is not a repository URL git may fetch")]
    [InlineData("git https://example.org/x.git#-f", "2:11: update.source: '-f' is not a branch name")]
    [InlineData("git https://example.org/x.git#a..b", "2:11: update.source: 'a..b' is not a branch name")]
    [InlineData("svn https://example.org/x", "2:11: update.source: expected ./path, git URL[#branch] or channel URL, got 'svn https://example.org/x'")]
    [InlineData("channel ftp://example.org/x", "2:11: update.source: a channel is a folder or an http(s) URL, not 'ftp://example.org/x'")]
    public void A_source_git_or_a_channel_could_misread_is_refused(string source, string expected) =>
        Errors($"update:\n  source: \"{source}\"").ShouldBe([expected]);

    [Fact]
    public void A_channel_needs_pinned_signers_and_only_a_channel_takes_them()
    {
        File.WriteAllText(Path.Combine(_folder, "allowed_signers"), "");
        var channel = Valid("update:\n  source: channel http://127.0.0.1:8080/dev/\n  signers: ./allowed_signers");
        channel.Kind.ShouldBe(UpdateSourceKind.Channel);
        channel.Signers.ShouldBe(Path.Combine(_folder, "allowed_signers"));
        Errors("update:\n  source: channel https://example.org/dev/").ShouldBe(
            ["2:3: update: a channel needs 'signers', the allowed-signers file its manifests must be signed by"]);
        Errors("update:\n  source: git https://example.org/x.git\n  signers: ./allowed_signers").ShouldBe(
            ["3:12: update.signers: only a channel source is signed (this source is git)"]);
    }

    [Theory]
    [InlineData("5s")]
    [InlineData("soon")]
    [InlineData("0h")]
    public void Every_is_a_duration_of_at_least_ten_seconds(string every) =>
        Errors($"update:\n  source: git https://example.org/x.git\n  every: {every}").ShouldBe(
            [$"3:10: update.every: expected a duration of at least 10s, like 1h, 30m or 1d, got '{every}'"]);

    [Fact]
    public void A_source_outside_the_spec_folder_is_refused()
    {
        var errors = Errors("update:\n  source: /etc");
        errors.Length.ShouldBe(1);
        errors[0].ShouldStartWith("2:11: update.source: ");
    }

    [Fact]
    public void Source_is_required() =>
        Errors("update:\n  every: 1h").ShouldBe(["2:3: update: missing required key 'source'"]);
}
