using System.Text.Json;
using Lethe.Core;
using Lethe.Machine.Generations;
using Lethe.Machine.Workstation;
using Lethe.Spec;
using Lethe.Tests.Spec;

namespace Lethe.Tests.Generations;

/// <summary>A machine's generations on disk: each keeps the spec it boots with, and nothing is read through a link.</summary>
public sealed class GenerationStoreTests : IDisposable
{
    private static readonly DateTimeOffset Now = new(2026, 11, 28, 8, 0, 0, TimeSpan.Zero);
    private readonly TempFolder project = new();
    private readonly MachineFolder folder;
    private readonly GenerationStore store;

    public GenerationStoreTests()
    {
        folder = new MachineFolder(Path.Combine(project.Path, "machines"), "m");
        store = new GenerationStore(folder);
    }

    public void Dispose() => project.Dispose();

    private MachineSpec FullSpec()
    {
        project.Write("dotfiles/bashrc", "echo hi");
        project.Write("signers", "");
        var path = project.Write("lethe.yaml", """
            name: workstation
            image:
              packages: [git]
              files:
                - {src: dotfiles/bashrc, dst: /etc/skel/.bashrc, mode: "0600"}
            user: {name: alice, uid: 1001, sudo: true}
            resources: {memory: 2G, cpus: 4}
            init: systemd
            env: {EDITOR: vim}
            persist:
              size: 8G
              paths: [/etc/ssh, {path: ~/.ssh/known_hosts, type: file}, {path: ~/src, mode: "0750"}]
            identity: fresh
            scratch: {size: 20G, overlay: true}
            network:
              egress: [github.com, "*.debian.org", 140.82.112.0/20]
              allow: [127.0.0.1]
              forward: ["8080:80"]
            ssh: {authorized_keys: [~/.ssh/id_ed25519.pub], forward_agent: true, send_env: [GITHUB_TOKEN]}
            gpg: {forward_agent: true}
            usb: [{vendor: "1050", product: "0407"}]
            share: {git_config: true}
            update: {source: channel https://example.org/dev/, signers: ./signers, every: 2h, keep: 5}
            """);
        var result = SpecLoader.Load(path);
        result.Errors.ShouldBeEmpty();
        return result.Spec!;
    }

    private static GenerationCandidate Candidate(MachineSpec spec, string image = "a") =>
        new(image, "k", "i", "6.1.0", GenerationStore.SpecDigest(spec), null, null);

    [Fact]
    public void A_generation_boots_with_exactly_the_spec_it_was_staged_with()
    {
        var spec = FullSpec();
        var (_, generation, isNew) = store.Stage(Candidate(spec), spec, Now);
        isNew.ShouldBeTrue();
        var loaded = store.LoadSpec(generation);
        JsonSerializer.Serialize(loaded).ShouldBe(JsonSerializer.Serialize(spec));
        loaded.Network.Egress.ShouldNotBeNull().Count.ShouldBe(3);
        loaded.Update!.Keep.ShouldBe(5);
        store.Stage(Candidate(spec), spec, Now.AddHours(1)).New.ShouldBeFalse();
        PosixFiles.LStat(store.SpecFile(1))!.Mode.ShouldBe(UnixFileMode.UserRead | UnixFileMode.UserWrite);
    }

    [Fact]
    public void A_snapshot_changed_after_staging_is_refused_not_booted()
    {
        var spec = SpecLoader.Default();
        var (_, generation, _) = store.Stage(Candidate(spec), spec, Now);
        var edited = File.ReadAllText(store.SpecFile(1)).Replace("\"dev\"", "\"root\"", StringComparison.Ordinal);
        File.WriteAllText(store.SpecFile(1), edited);
        Should.Throw<LetheException>(() => store.LoadSpec(generation)).Message.ShouldContain("was changed after it was staged");
    }

    [Fact]
    public void Links_planted_for_the_history_or_a_snapshot_are_never_followed()
    {
        var spec = SpecLoader.Default();
        var (_, generation, _) = store.Stage(Candidate(spec), spec, Now);
        var elsewhere = project.Write("elsewhere.json", File.ReadAllText(store.SpecFile(1)));
        File.Delete(store.SpecFile(1));
        File.CreateSymbolicLink(store.SpecFile(1), elsewhere);
        Should.Throw<LetheException>(() => store.LoadSpec(generation)).Message.ShouldContain("has lost its spec");

        var history = project.Write("history.json", File.ReadAllText(store.FilePath));
        File.Delete(store.FilePath);
        File.CreateSymbolicLink(store.FilePath, history);
        Should.Throw<LetheException>(() => store.Read()).Message.ShouldContain("is not a regular file");
    }

    [Fact]
    public void Collection_removes_the_snapshots_of_collected_generations()
    {
        var spec = SpecLoader.Default();
        for (var image = 0; image < 5; image++)
            store.Stage(Candidate(spec, image.ToString(System.Globalization.CultureInfo.InvariantCulture)), spec, Now);
        var kept = store.Change(history => history.MarkGood(5), keep: 2);
        kept.Generations.Select(g => g.Number).ShouldBe([4, 5]);
        Directory.GetFiles(store.SpecFolder).Select(Path.GetFileName).Order().ShouldBe(["4.spec.json", "5.spec.json"]);
    }

    [Fact]
    public void Updates_and_boots_staging_at_the_same_time_lose_no_generation()
    {
        var spec = SpecLoader.Default();
        Parallel.For(0, 16, image => store.Stage(Candidate(spec, "image" + image), spec, Now));
        store.Read().Generations.Select(g => g.Number).Order().ShouldBe(Enumerable.Range(1, 16));
    }
}
