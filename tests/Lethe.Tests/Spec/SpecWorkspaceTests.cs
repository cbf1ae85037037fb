using Lethe.Spec;

namespace Lethe.Tests.Spec;

/// <summary>workspace: a host folder (relative to the spec's folder) shared into the machine.</summary>
public sealed class SpecWorkspaceTests : IDisposable
{
    private readonly TempFolder project = new();

    public void Dispose() => project.Dispose();

    private SpecResult Load(string yaml) => SpecLoader.Load(project.Write("lethe.yaml", yaml));

    private WorkspaceSpec Valid(string yaml)
    {
        var result = Load(yaml);
        result.Errors.ShouldBeEmpty();
        return result.Spec!.Workspace.ShouldNotBeNull();
    }

    private string[] Errors(string yaml) =>
        [.. Load(yaml).Errors.Select(error => $"{error.Line}:{error.Column}: {error.Message}")];

    private string Folder(string relativePath) => Directory.CreateDirectory(Path.Combine(project.Path, relativePath)).FullName;

    [Fact]
    public void Absent_workspace_is_null_so_the_command_picks()
    {
        SpecAssert.Valid("").Workspace.ShouldBeNull();
        SpecAssert.Valid("workspace:\n").Workspace.ShouldBeNull();
    }

    [Fact]
    public void Empty_mapping_shares_the_spec_folder_read_write_at_work() =>
        Valid("workspace: {}\n").ShouldBe(new WorkspaceSpec(project.Path, WorkspaceMode.Rw, "/work"));

    [Fact]
    public void Every_key_is_read_and_the_path_resolves_against_the_spec_folder()
    {
        var src = Folder("src");

        Valid("workspace:\n  path: src\n  mode: overlay\n  at: /home/dev/project\n")
            .ShouldBe(new WorkspaceSpec(src, WorkspaceMode.Overlay, "/home/dev/project"));
    }

    [Theory]
    [InlineData("src/")]
    [InlineData("./src")]
    [InlineData("src/../src")]
    public void Host_path_is_normalised(string written)
    {
        var src = Folder("src");

        Valid($"workspace:\n  path: {written}\n").HostPath.ShouldBe(src);
    }

    [Fact]
    public void Absolute_host_path_is_used_as_is_when_the_caller_allows_leaving_the_spec_folder()
    {
        using var elsewhere = new TempFolder();

        SpecLoader.Load(project.Write("lethe.yaml", $"workspace:\n  path: '{elsewhere.Path}'\n"), allowOutsideSpecFolder: true)
            .Spec!.Workspace!.HostPath.ShouldBe(elsewhere.Path);
    }

    [Fact]
    public void Parent_folder_is_allowed_only_when_the_caller_says_so() =>
        SpecLoader.Load(project.Write("sub/lethe.yaml", "workspace:\n  path: ..\n"), allowOutsideSpecFolder: true).Spec!.Workspace!.HostPath.ShouldBe(project.Path);

    [Fact]
    public void Mode_none_shares_nothing_and_needs_no_folder() =>
        Valid("workspace:\n  path: missing\n  mode: none\n").ShouldBe(new WorkspaceSpec(null, WorkspaceMode.None, "/work"));

    [Theory]
    [InlineData("/work/", "/work")]
    [InlineData("//srv/./code", "/srv/code")]
    [InlineData("/tmp/w", "/tmp/w")]
    public void At_is_normalised(string written, string expected) =>
        Valid($"workspace:\n  at: {written}\n").At.ShouldBe(expected);

    [Fact]
    public void Without_a_spec_file_the_path_resolves_against_the_current_folder()
    {
        var result = SpecLoader.Parse("workspace: {mode: overlay}", null);

        result.Errors.ShouldBeEmpty();
        result.Spec!.Workspace!.HostPath.ShouldBe(Path.TrimEndingDirectorySeparator(Environment.CurrentDirectory));
    }

    [Fact]
    public void Missing_folder_and_file_are_errors_at_the_path()
    {
        project.Write("notes.txt", "x");

        Errors("workspace:\n  path: nope\n").ShouldBe(
            [$"2:9: workspace.path: no such folder 'nope' (looked for {Path.Combine(project.Path, "nope")})"]);
        Errors("workspace:\n  path: notes.txt\n").ShouldBe(["2:9: workspace.path: 'notes.txt' is a file; expected a folder"]);
    }

    [Fact]
    public void Missing_default_folder_is_reported_at_the_section()
    {
        var result = SpecLoader.Parse("name: x\nworkspace:\n  mode: rw\n", "/nowhere/lethe.yaml");

        result.Errors.Select(error => $"{error.Line}:{error.Column}: {error.Message}").ShouldBe(
            ["3:3: workspace.path: no such folder '.' (looked for /nowhere)"]);
    }

    [Theory]
    [InlineData("workspace: .", "1:12: workspace: expected a mapping with keys path, mode, at, got '.'")]
    [InlineData("workspace:\n  path: [a]", "2:9: workspace.path: expected a host folder, relative to the spec's folder, got a list")]
    [InlineData("workspace:\n  path: ''", "2:9: workspace.path: expected a host folder, relative to the spec's folder, got ''")]
    [InlineData("workspace:\n  mode: ro", "2:9: workspace.mode: expected one of rw, overlay, none, got 'ro' (did you mean 'rw'?)")]
    [InlineData("workspace:\n  mode: overlya", "2:9: workspace.mode: expected one of rw, overlay, none, got 'overlya' (did you mean 'overlay'?)")]
    [InlineData("workspace:\n  at: work", "2:7: workspace.at: expected an absolute path in the machine like /work, got 'work'")]
    [InlineData("workspace:\n  at: {a: b}", "2:7: workspace.at: expected an absolute path in the machine like /work, got a mapping")]
    [InlineData("workspace:\n  at: /", "2:7: workspace.at: '/' is the whole machine; choose a folder like /work")]
    [InlineData("workspace:\n  at: /work/../etc", "2:7: workspace.at: '/work/../etc' must not contain '..'")]
    [InlineData("workspace:\n  at: /proc/w", "2:7: workspace.at: '/proc/w' is under /proc, which the kernel fills at boot; choose another folder")]
    [InlineData("workspace:\n  at: /sys", "2:7: workspace.at: '/sys' is under /sys, which the kernel fills at boot; choose another folder")]
    [InlineData("workspace:\n  at: /dev/w", "2:7: workspace.at: '/dev/w' is under /dev, which the kernel fills at boot; choose another folder")]
    [InlineData("workspace:\n  at: /run/w", "2:7: workspace.at: '/run/w' is under /run, which the kernel fills at boot; choose another folder")]
    [InlineData("workspace:\n  at: /persist/w", "2:7: workspace.at: '/persist/w' is under /persist, which is lethe's own; choose another folder")]
    public void Wrong_values_are_reported_at_the_value(string yaml, string expected) => Errors(yaml).ShouldBe([expected]);

    [Theory]
    [InlineData("workspace:\n  mdoe: rw", "2:3: unknown key 'mdoe' in workspace (did you mean 'mode'?)")]
    [InlineData("workspace:\n  paht: .", "2:3: unknown key 'paht' in workspace (did you mean 'path'?)")]
    [InlineData("workspace:\n  mount: /w", "2:3: unknown key 'mount' in workspace")]
    [InlineData("workpsace: {}", "1:1: unknown key 'workpsace' at top level (did you mean 'workspace'?)")]
    public void Unknown_keys_get_a_suggestion(string yaml, string expected) => Errors(yaml).ShouldBe([expected]);
}
