using Lethe.Spec;

namespace Lethe.Tests.Spec;

/// <summary>image.files: sources resolve against the spec's folder and must be real files; destinations are checked.</summary>
public sealed class SpecFilesTests : IDisposable
{
    private readonly TempFolder project = new();

    public void Dispose() => project.Dispose();

    private SpecResult Load(string filesYaml) =>
        SpecLoader.Load(project.Write("lethe.yaml", "image:\n  files:\n" + filesYaml));

    private string[] Errors(string filesYaml) =>
        [.. Load(filesYaml).Errors.Select(error => $"{error.Line}:{error.Column}: {error.Message}")];

    [Fact]
    public void Source_is_resolved_against_the_spec_folder_and_mode_defaults_to_0644()
    {
        var bashrc = project.Write("dotfiles/bashrc", "echo hi");
        var tool = project.Write("bin/tool", "#!/bin/sh");

        var result = Load("""
                - {src: ./dotfiles/bashrc, dst: /etc/skel/.bashrc}
                - src: bin/tool
                  dst: /usr/local/bin/tool
                  mode: "0755"
            """ + "\n");

        result.Errors.ShouldBeEmpty();
        result.Spec!.SourcePath.ShouldBe(Path.Combine(project.Path, "lethe.yaml"));
        result.Spec.Image.Files.ShouldBe(
        [
            new FileSpec(bashrc, "/etc/skel/.bashrc", Convert.ToInt32("644", 8)),
            new FileSpec(tool, "/usr/local/bin/tool", Convert.ToInt32("755", 8)),
        ]);
    }

    [Theory]
    [InlineData("\"0644\"", "644")]
    [InlineData("644", "644")]
    [InlineData("0600", "600")]
    [InlineData("4755", "4755")]
    [InlineData("0o700", "700")]
    public void Mode_is_octal_whether_quoted_or_not(string written, string octal)
    {
        project.Write("f", "x");

        var result = Load($"    - {{src: f, dst: /f, mode: {written}}}\n");

        result.Errors.ShouldBeEmpty();
        result.Spec!.Image.Files.Single().Mode.ShouldBe(Convert.ToInt32(octal, 8));
    }

    [Fact]
    public void Absolute_source_is_used_as_is_when_the_caller_allows_leaving_the_spec_folder()
    {
        using var elsewhere = new TempFolder();
        var file = elsewhere.Write("data.txt", "x");

        SpecLoader.Load(project.Write("lethe.yaml", $"image:\n  files:\n    - {{src: '{file}', dst: /srv/data.txt}}\n"), allowOutsideSpecFolder: true)
            .Spec!.Image.Files.Single().Source.ShouldBe(file);
    }

    [Fact]
    public void Destination_is_normalised()
    {
        project.Write("f", "x");

        Load("    - {src: f, dst: /etc//./motd}\n").Spec!.Image.Files.Single().Destination.ShouldBe("/etc/motd");
    }

    [Fact]
    public void Missing_source_and_folder_source_are_errors()
    {
        Directory.CreateDirectory(Path.Combine(project.Path, "dotfiles"));

        Errors("    - {src: nope.txt, dst: /a}\n    - {src: dotfiles, dst: /b}\n").ShouldBe(
        [
            $"3:13: image.files[0].src: no such file 'nope.txt' (looked for {Path.Combine(project.Path, "nope.txt")})",
            "4:13: image.files[1].src: 'dotfiles' is a folder; expected a regular file",
        ]);
    }

    [Theory]
    [InlineData("etc/motd", "3:21: image.files[0].dst: expected an absolute path in the image like /etc/skel/.bashrc, got 'etc/motd'")]
    [InlineData("/etc/", "3:21: image.files[0].dst: expected an absolute path in the image like /etc/skel/.bashrc, got '/etc/'")]
    [InlineData("/etc/../root/x", "3:21: image.files[0].dst: '/etc/../root/x' must not contain '..'")]
    [InlineData("/tmp/x", "3:21: image.files[0].dst: '/tmp/x' is under /tmp, which is replaced at boot; choose another folder")]
    [InlineData("/proc", "3:21: image.files[0].dst: '/proc' is under /proc, which is replaced at boot; choose another folder")]
    [InlineData("/./run/x", "3:21: image.files[0].dst: '/./run/x' is under /run, which is replaced at boot; choose another folder")]
    public void Bad_destinations_are_errors(string destination, string expected)
    {
        project.Write("f", "x");

        Errors($"    - {{src: f, dst: {destination}}}\n").ShouldBe([expected]);
    }

    [Fact]
    public void Missing_keys_bad_mode_repeated_destination_and_non_mapping_entries_are_errors()
    {
        project.Write("f", "x");

        Errors("""
                - {src: f}
                - {src: f, dst: /a, mode: rwx}
                - {src: f, dst: /c, mode: 999}
                - {src: f, dst: /b}
                - {src: f, dst: /b}
                - just-a-path
            """ + "\n").ShouldBe(
        [
            "3:7: image.files[0]: missing required key 'dst'",
            "4:31: image.files[1].mode: expected an octal mode like \"0644\" or \"755\", got 'rwx'",
            "5:31: image.files[2].mode: expected an octal mode like \"0644\" or \"755\", got '999'",
            "7:7: image.files[4]: '/b' is already the dst of image.files[3]",
            "8:7: image.files[5]: expected a mapping like {src: ./file, dst: /etc/file, mode: \"0644\"}, got 'just-a-path'",
        ]);
    }
}
