using Lethe.Spec;

namespace Lethe.Tests.Spec;

/// <summary>A spec reaches host files only under its own folder once links are resolved; only the caller's flag lifts that.</summary>
public sealed class SpecFolderConfinementTests : IDisposable
{
    private readonly TempFolder _outside = new();
    private readonly TempFolder _project = new();

    public void Dispose()
    {
        _project.Dispose();
        _outside.Dispose();
    }

    private string[] Errors(string yaml, string specAt = "repo/lethe.yaml") =>
        [.. SpecLoader.Load(_project.Write(specAt, yaml)).Errors.Select(e => $"{e.Line}:{e.Column}: {e.Message}")];

    private string Repo => Path.Combine(_project.Path, "repo");

    [Theory]
    [InlineData("/a/b", "/a/b", true)]
    [InlineData("/a/b", "/a/b/c/d", true)]
    [InlineData("/a/b", "/a/bc", false)]
    [InlineData("/a/b", "/a", false)]
    [InlineData("/a/b", "/etc/ssh", false)]
    [InlineData("/", "/etc", true)]
    public void Inside_means_the_folder_itself_or_below_it(string folder, string candidate, bool inside) =>
        SpecFolderConfinement.IsInside(folder, candidate).ShouldBe(inside);

    [Fact]
    public void A_file_source_that_climbs_out_with_dot_dot_is_an_error_at_its_line()
    {
        var secret = _project.Write("id_rsa", "key");

        Errors("name: x\nimage:\n  files:\n    - {src: ../id_rsa, dst: /etc/k}\n").ShouldBe(
            [$"4:13: image.files[0].src: '../id_rsa' leads outside the spec's folder {Repo} (to {secret}); a spec may only use files under its own folder, unless you run lethe with --allow-outside-spec-folder"]);
    }

    [Fact]
    public void An_absolute_file_source_elsewhere_is_an_error()
    {
        var secret = _outside.Write("id_rsa", "key");

        Errors($"image:\n  files:\n    - src: {secret}\n      dst: /etc/k\n").Single().ShouldStartWith($"3:12: image.files[0].src: '{secret}' leads outside");
    }

    [Fact]
    public void A_link_in_the_folder_that_points_out_of_it_is_an_error()
    {
        var secret = _outside.Write("id_rsa", "key");
        Directory.CreateDirectory(Repo);
        File.CreateSymbolicLink(Path.Combine(Repo, "innocent"), secret);

        Errors("image:\n  files:\n    - {src: innocent, dst: /etc/k}\n").Single()
            .ShouldStartWith($"3:13: image.files[0].src: 'innocent' leads outside the spec's folder {Repo} (to {secret})");
    }

    [Fact]
    public void A_link_that_stays_in_the_folder_is_fine_and_resolved()
    {
        var real = _project.Write("repo/dotfiles/bashrc", "x");
        File.CreateSymbolicLink(Path.Combine(Repo, "bashrc"), real);

        var result = SpecLoader.Load(_project.Write("repo/lethe.yaml", "image:\n  files:\n    - {src: bashrc, dst: /etc/skel/.bashrc}\n"));

        result.Errors.ShouldBeEmpty();
        result.Spec!.Image.Files.Single().Source.ShouldBe(real);
    }

    [Theory]
    [InlineData("..")]
    [InlineData("/")]
    public void A_workspace_outside_the_spec_folder_is_an_error(string written)
    {
        Directory.CreateDirectory(Repo);

        Errors($"workspace:\n  path: {written}\n").Single().ShouldStartWith($"2:9: workspace.path: '{written}' leads outside the spec's folder {Repo}");
    }

    [Fact]
    public void A_workspace_link_to_another_users_home_is_an_error()
    {
        Directory.CreateDirectory(Repo);
        File.CreateSymbolicLink(Path.Combine(Repo, "src"), _outside.Path);

        Errors("workspace:\n  path: src\n").Single().ShouldStartWith($"2:9: workspace.path: 'src' leads outside the spec's folder {Repo} (to {_outside.Path})");
    }

    [Fact]
    public void A_spec_folder_reached_through_a_link_still_holds_its_own_files()
    {
        var real = _project.Write("real/data.txt", "x");
        var linked = Path.Combine(_project.Path, "linked");
        File.CreateSymbolicLink(linked, Path.Combine(_project.Path, "real"));
        File.WriteAllText(Path.Combine(linked, "lethe.yaml"), "image:\n  files:\n    - {src: data.txt, dst: /srv/d}\nworkspace: {path: .}\n");

        var result = SpecLoader.Load(Path.Combine(linked, "lethe.yaml"));

        result.Errors.ShouldBeEmpty();
        result.Spec!.Image.Files.Single().Source.ShouldBe(real);
        result.Spec.Workspace!.HostPath.ShouldBe(Path.Combine(_project.Path, "real"));
    }

    [Fact]
    public void The_spec_itself_cannot_lift_the_rule_only_the_callers_flag_can()
    {
        var secret = _outside.Write("id_rsa", "key");
        var spec = _project.Write("repo/lethe.yaml", $"image:\n  files:\n    - {{src: '{secret}', dst: /etc/k}}\n");

        SpecLoader.Load(spec).Ok.ShouldBeFalse();
        SpecLoader.Load(spec, allowOutsideSpecFolder: true).Spec!.Image.Files.Single().Source.ShouldBe(secret);
    }

    [Fact]
    public void The_embedded_default_and_a_spec_without_a_file_are_not_confined() =>
        SpecLoader.Parse("workspace: {path: /}\n", null).Spec!.Workspace!.HostPath.ShouldBe("/");
}
