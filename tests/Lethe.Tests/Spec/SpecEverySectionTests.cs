using Lethe.Spec;

namespace Lethe.Tests.Spec;

/// <summary>A lethe.yaml using every section loads into exactly what it says; the starter's examples load too.</summary>
public sealed class SpecEverySectionTests : IDisposable
{
    private readonly TempFolder project = new();

    public void Dispose() => project.Dispose();

    [Fact]
    public void Every_section_round_trips_through_the_loader()
    {
        var bashrc = project.Write("dotfiles/bashrc", "echo hi");
        var code = Directory.CreateDirectory(Path.Combine(project.Path, "code")).FullName;
        var path = project.Write("lethe.yaml", """
            name: workstation
            image:
              suite: trixie
              packages: [git, openssh-server]
              files:
                - {src: dotfiles/bashrc, dst: /etc/skel/.bashrc, mode: "0600"}
            user:
              name: alice
              uid: 1001
              sudo: true
            resources:
              memory: 2G
              cpus: 4
            accel: tcg
            init: systemd
            env:
              EDITOR: vim
            persist:
              size: 8G
              paths:
                - /etc/ssh
                - ~/.ssh/known_hosts
                - {path: ~/src, mode: "0750", owner: alice}
            identity: fresh
            workspace:
              path: code
              mode: overlay
              at: /srv/code
            scratch:
              size: 20G
              overlay: true
            """);

        var result = SpecLoader.Load(path);

        result.Errors.ShouldBeEmpty();
        var spec = result.Spec!;
        spec.SourcePath.ShouldBe(path);
        spec.Name.ShouldBe("workstation");
        spec.Image.Suite.ShouldBe("trixie");
        spec.Image.Packages.ShouldBe(["git", "openssh-server"]);
        spec.Image.Files.ShouldBe([new FileSpec(bashrc, "/etc/skel/.bashrc", Convert.ToInt32("600", 8))]);
        spec.User.ShouldBe(new UserSpec("alice", 1001, true));
        spec.Resources.ShouldBe(new ResourceSpec(2048, 4));
        spec.Accel.ShouldBe(AccelMode.Tcg);
        spec.Init.ShouldBe(InitSystem.Systemd);
        spec.Env.ShouldBe(new Dictionary<string, string> { ["EDITOR"] = "vim" });
        spec.Persist.SizeMiB.ShouldBe(8192);
        spec.Persist.Paths.ShouldBe(
        [
            new PersistEntry("/etc/ssh"),
            new PersistEntry("~/.ssh/known_hosts"),
            new PersistEntry("~/src", Convert.ToInt32("750", 8), "alice"),
        ]);
        spec.Identity.ShouldBe(IdentityMode.Fresh);
        spec.Workspace.ShouldBe(new WorkspaceSpec(code, WorkspaceMode.Overlay, "/srv/code"));
        spec.Scratch.ShouldBe(new ScratchSpec(20480, true));
    }

    [Fact]
    public void Starter_examples_load_once_uncommented()
    {
        var spec = SpecAssert.Valid(UncommentNewSections(SpecLoader.StarterText()));

        spec.Persist.SizeMiB.ShouldBe(1024);
        spec.Persist.Paths.Select(entry => entry.Path).ShouldBe(["/etc/ssh", "~/.ssh/known_hosts", "~/src"]);
        spec.Identity.ShouldBe(IdentityMode.Keep);
        spec.Workspace.ShouldBe(new WorkspaceSpec(Path.TrimEndingDirectorySeparator(Environment.CurrentDirectory), WorkspaceMode.Rw, "/work"));
        spec.Scratch.ShouldBe(new ScratchSpec(20480, false));
    }

    [Fact]
    public void Starter_leaves_the_new_sections_off()
    {
        var spec = SpecAssert.Valid(SpecLoader.StarterText());

        spec.Persist.Paths.ShouldBeEmpty();
        spec.Identity.ShouldBe(IdentityMode.Keep);
        spec.Workspace.ShouldBeNull();
        spec.Scratch.ShouldBeNull();
    }

    /// <summary>"# persist:" and the "#   ..." lines under it become YAML again.</summary>
    private static string UncommentNewSections(string starter)
    {
        string[] sections = ["persist:", "identity:", "workspace:", "scratch:"];
        var inSection = false;
        var lines = starter.Split('\n').Select(line =>
        {
            inSection = sections.Any(key => line.StartsWith("# " + key, StringComparison.Ordinal))
                || (inSection && line.StartsWith("#   ", StringComparison.Ordinal));
            return inSection ? line[2..] : line;
        });
        return string.Join('\n', lines);
    }
}
