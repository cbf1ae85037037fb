using System.Diagnostics;
using static Lethe.Tests.Integration.Generations.GenerationKit;

namespace Lethe.Tests.Integration.Generations;

/// <summary>
/// Workstations that follow a git repository and a spec folder: lethe update stages a new generation, a running
/// machine keeps its own until it reboots, and the persist disk and identity carry over. The timer lethe autoupdate
/// installs runs the same update, and lethe update --watch picks up a change by itself.
/// </summary>
[Collection(MachineCollection.Name)]
public sealed class SourceGenerationTests(TestImage image) : IAsyncDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("lethe-it-gen-").FullName;
    private readonly List<string> machines = [];
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    public async ValueTask DisposeAsync()
    {
        foreach (var machine in machines)
        {
            await LetheProcess.RunAsync(["down", machine], timeout: TimeSpan.FromMinutes(2));
            await LetheProcess.RunAsync(["rm", machine, "--yes"], timeout: TimeSpan.FromMinutes(1));
        }
        Directory.Delete(folder, recursive: true);
    }

    /// <summary>The test image's spec body with a persist allowlist, as a source's lethe.yaml, with the shared lock.</summary>
    private async Task WriteSourceAsync(string source, string env = "yes")
    {
        Directory.CreateDirectory(source);
        var text = (await File.ReadAllTextAsync(image.FastSpec, Token)).Replace("LETHE_TEST: \"yes\"", $"LETHE_TEST: \"{env}\"", StringComparison.Ordinal);
        await File.WriteAllTextAsync(Path.Combine(source, "lethe.yaml"), text + "\npersist:\n  paths: [~/src]\n", Token);
        File.Copy(Path.ChangeExtension(image.FastSpec, ".lock"), Path.Combine(source, "lethe.lock"), overwrite: true);
    }

    private static Task GitAsync(string repository, params string[] arguments) =>
        ExportTests.ToolAsync("git", ["-C", repository, "-c", "user.name=t", "-c", "user.email=t@example.org", .. arguments]);

    [Fact(Timeout = 1_500_000)]
    public async Task A_git_followed_workstation_takes_a_new_image_at_its_next_boot_and_keeps_its_persist_disk_and_identity()
    {
        const string name = "it-gen-git";
        machines.Add(name);
        var repository = Path.Combine(folder, "repo");
        await WriteSourceAsync(repository);
        await GitAsync(repository, "init", "-q", "-b", "main");
        await GitAsync(repository, "add", ".");
        await GitAsync(repository, "commit", "-q", "-m", "the test image");
        var spec = image.WriteSpec(name, $"update:\n  source: git file://{repository}#main\n");

        var up = await LetheProcess.UpAsync(name, ["--spec", spec]);
        up.Stderr.ShouldContain("staged generation 1");
        await OkAsync("exec", name, "--", "sh", "-c", "echo kept > ~/src/kept && command -v curl");
        var identity = await IdentityAsync(name);
        (await OkAsync("update", name)).Stderr.ShouldContain("up to date");

        // The next commit is the embedded default's image (no curl): a new image, the same kernel.
        var source = await File.ReadAllTextAsync(Path.Combine(LetheProcess.RepositoryRoot, "src", "Lethe.Spec", "default.yaml"), Token);
        await File.WriteAllTextAsync(Path.Combine(repository, "lethe.yaml"), source.Replace("name: lethe", "name: it-gen-git-2", StringComparison.Ordinal), Token);
        var defaultLock = Path.Combine(LetheProcess.LetheHome, "cache", "default-bookworm.lock");
        if (File.Exists(defaultLock))
            File.Copy(defaultLock, Path.Combine(repository, "lethe.lock"), overwrite: true);
        else
            File.Delete(Path.Combine(repository, "lethe.lock"));
        await GitAsync(repository, "add", "-A");
        await GitAsync(repository, "commit", "-q", "-m", "the default image");

        var update = await OkAsync("update", name);
        update.Stderr.ShouldContain("staged generation 2");
        update.Stderr.ShouldContain("generation 2 changes the userland only: the next boot takes it");
        await OkAsync("exec", name, "--", "sh", "-c", "command -v curl");
        (await GenerationsAsync(name)).Booted.ShouldBe(1);

        await OkAsync("reboot", name);
        (await LetheProcess.RunAsync(["exec", name, "--", "sh", "-c", "command -v curl"])).ExitCode.ShouldNotBe(0, "generation 2 has no curl");
        (await GenerationsAsync(name)).Booted.ShouldBe(2);
        (await IdentityAsync(name)).ShouldBe(identity);
    }

    /// <summary>Also in the unprivileged part (CI's ordinary user): following a source needs no privilege.</summary>
    [Fact(Timeout = 900_000)]
    [Trait("part", "unprivileged")]
    public async Task A_folder_followed_workstation_updates_from_the_autoupdate_unit_and_from_watch()
    {
        const string name = "it-gen-path";
        machines.Add(name);
        var source = Path.Combine(image.Folder, "gen-path-source");
        await WriteSourceAsync(source);
        var spec = image.WriteSpec(name, "update:\n  source: ./gen-path-source\n  every: 10s\n");
        await LetheProcess.UpAsync(name, ["--spec", spec]);
        (await OkAsync("exec", name, "--", "printenv", "LETHE_TEST")).Stdout.Trim().ShouldBe("yes");

        // The timer's unit: written even where no user systemd runs (as in CI), and its ExecStart is a working update.
        var config = Path.Combine(folder, "config");
        var enable = await LetheProcess.RunAsync(["autoupdate", "enable", name, "--spec", spec], timeout: TimeSpan.FromMinutes(1),
            environment: new Dictionary<string, string> { ["XDG_CONFIG_HOME"] = config });
        var units = Path.Combine(config, "systemd", "user");
        if (enable.ExitCode != 0)
        {
            enable.ExitCode.ShouldBe(3, enable.ToString());
            enable.Stderr.Trim().Split('\n').ShouldHaveSingleItem().ShouldContain($"systemctl --user enable --now lethe-update-{name}.timer");
        }
        var timer = await File.ReadAllTextAsync(Path.Combine(units, $"lethe-update-{name}.timer"), Token);
        timer.ShouldContain("OnUnitActiveSec=10s");
        var service = await File.ReadAllLinesAsync(Path.Combine(units, $"lethe-update-{name}.service"), Token);
        var execStart = service.Single(line => line.StartsWith("ExecStart=", StringComparison.Ordinal))["ExecStart=".Length..];
        var words = execStart.Split(' ').Select(word => word.Trim('"')).ToArray();
        words.ShouldBe([LetheProcess.Launcher, "update", "--spec", spec, name]);
        await WriteSourceAsync(source, env: "by-the-timer");
        var timed = await LetheProcess.RunAsync(words[1..], timeout: TimeSpan.FromMinutes(5));
        timed.ExitCode.ShouldBe(0, timed.ToString());
        timed.Stderr.ShouldContain("staged generation 2");
        (await LetheProcess.RunAsync(["autoupdate", "disable", name], timeout: TimeSpan.FromMinutes(1),
            environment: new Dictionary<string, string> { ["XDG_CONFIG_HOME"] = config })).ExitCode.ShouldBe(0);
        File.Exists(Path.Combine(units, $"lethe-update-{name}.timer")).ShouldBeFalse();

        // --watch notices a change within a round or two of update.every.
        using var stopWatching = CancellationTokenSource.CreateLinkedTokenSource(Token);
        var watch = LetheProcess.Start(["update", "--watch", name], cancellationToken: stopWatching.Token);
        await WriteSourceAsync(source, env: "by-watch");
        var clock = Stopwatch.StartNew();
        while ((await GenerationsAsync(name)).All.Count < 3)
        {
            clock.Elapsed.ShouldBeLessThan(TimeSpan.FromMinutes(3), "lethe update --watch did not stage the change");
            await Task.Delay(TimeSpan.FromSeconds(2), Token);
        }
        await stopWatching.CancelAsync();
        await watch.WaitForExitAsync(Token);

        // A stopped machine's up boots its newest staged generation.
        await OkAsync("down", name);
        await LetheProcess.UpAsync(name, ["--spec", spec]);
        (await OkAsync("exec", name, "--", "printenv", "LETHE_TEST")).Stdout.Trim().ShouldBe("by-watch");
        (await GenerationsAsync(name)).Booted.ShouldBe(3);
    }
}
