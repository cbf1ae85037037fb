using System.Diagnostics;
using Lethe.Core;
using Lethe.Machine.Qemu;
using Lethe.Machine.Run;
using Lethe.Machine.Scratch;
using Lethe.Machine.Workstation;

namespace Lethe.Tests.HostFiles;

/// <summary>
/// What a local attacker can plant where lethe writes: links at and inside the runtime base, the scratch
/// folder and a machine folder, and a forged owner file. Each test is the attack; lethe must refuse or
/// ignore it, and the attacker's target must come out untouched.
/// </summary>
public sealed class RuntimeFolderAttackTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("lethe-attack-").FullName;

    private string Victim()
    {
        var victim = Path.Combine(_root, "victim");
        Directory.CreateDirectory(victim);
        return victim;
    }

    [Fact]
    public void A_runtime_base_that_is_a_planted_link_is_refused_and_nothing_is_written_through_it()
    {
        var victim = Victim();
        var runtimeBase = Path.Combine(_root, "lethe-someone");
        File.CreateSymbolicLink(runtimeBase, victim);

        var refused = Should.Throw<HostException>(() => RunDirectory.Create(Path.Combine(runtimeBase, "runs"), "dev").Dispose());

        refused.Message.ShouldContain("symbolic link");
        Directory.EnumerateFileSystemEntries(victim).ShouldBeEmpty();
    }

    [Fact]
    public void A_runs_folder_that_is_a_planted_link_inside_the_base_is_refused()
    {
        var victim = Victim();
        var runtimeBase = Path.Combine(_root, "run");
        Directory.CreateDirectory(runtimeBase, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        File.CreateSymbolicLink(Path.Combine(runtimeBase, "runs"), victim);

        Should.Throw<HostException>(() => RunDirectory.Create(Path.Combine(runtimeBase, "runs"), "dev").Dispose());

        Directory.EnumerateFileSystemEntries(victim).ShouldBeEmpty();
    }

    [Fact]
    public void A_runtime_base_made_by_another_user_is_refused()
    {
        if (Environment.UserName != "root")
            Assert.Skip("needs root to make a folder that belongs to another user");
        var runtimeBase = Path.Combine(_root, "lethe-root");
        Directory.CreateDirectory(runtimeBase, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        File.SetUnixFileMode(_root, (UnixFileMode)0b111_101_101);
        Chown(runtimeBase, 65534);

        var refused = Should.Throw<HostException>(() => RunDirectory.Create(Path.Combine(runtimeBase, "runs"), "dev").Dispose());

        refused.Message.ShouldContain("belongs to uid 65534");
        Directory.EnumerateFileSystemEntries(runtimeBase).ShouldBeEmpty();
    }

    [Fact]
    public void A_folder_around_the_runs_folder_that_lethe_does_not_name_is_never_tightened()
    {
        var shared = Path.Combine(_root, "shared");
        Directory.CreateDirectory(shared);
        File.SetUnixFileMode(shared, (UnixFileMode)0b111_101_101);

        RunDirectory.Create(Path.Combine(shared, "runs"), "dev").Dispose();
        RunDirectory.CleanStale(Path.Combine(shared, "runs"));

        File.GetUnixFileMode(shared).ShouldBe((UnixFileMode)0b111_101_101);
    }

    [Fact(Timeout = 30_000)]
    public async Task A_forged_owner_file_never_gets_an_unrelated_process_signalled()
    {
        var runs = Path.Combine(_root, "runs");
        Directory.CreateDirectory(runs);
        using var unrelated = Process.Start("sleep", "60");
        using var deadOwner = Process.Start("true");
        await deadOwner.WaitForExitAsync(TestContext.Current.CancellationToken);
        try
        {
            var forged = Path.Combine(runs, "forged-1-abcd");
            Directory.CreateDirectory(forged);
            // A lethe that is gone, and an innocent live process named as the QEMU it "left behind".
            await File.WriteAllTextAsync(Path.Combine(forged, "owner"), $"{deadOwner.Id} 1\n{ProcessIdentity.Of(unrelated.Id)}\n", TestContext.Current.CancellationToken);

            RunDirectory.CleanStale(runs);

            await Task.Delay(500, TestContext.Current.CancellationToken);
            unrelated.HasExited.ShouldBeFalse();
        }
        finally
        {
            if (!unrelated.HasExited)
                unrelated.Kill();
        }
    }

    [Fact]
    public void A_run_entry_that_is_a_link_to_another_folder_is_not_emptied_by_clean_up()
    {
        var victim = Victim();
        File.WriteAllText(Path.Combine(victim, "owner"), "999999999 1\n");
        File.WriteAllText(Path.Combine(victim, "precious"), "keep me");
        var runs = Path.Combine(_root, "runs");
        Directory.CreateDirectory(runs);
        File.CreateSymbolicLink(Path.Combine(runs, "planted-1-abcd"), victim);

        RunDirectory.CleanStale(runs);

        File.ReadAllText(Path.Combine(victim, "precious")).ShouldBe("keep me");
    }

    [Fact]
    public void A_link_inside_a_dead_run_folder_is_removed_but_never_followed()
    {
        var victim = Victim();
        File.WriteAllText(Path.Combine(victim, "precious"), "keep me");
        var runs = Path.Combine(_root, "runs");
        var dead = Path.Combine(runs, "dead-1-abcd");
        Directory.CreateDirectory(dead);
        File.WriteAllText(Path.Combine(dead, "owner"), "999999999 1\n");
        File.CreateSymbolicLink(Path.Combine(dead, "sub"), victim);

        RunDirectory.CleanStale(runs).ShouldBe(1);

        Directory.Exists(dead).ShouldBeFalse();
        File.ReadAllText(Path.Combine(victim, "precious")).ShouldBe("keep me");
    }

    [Fact]
    public async Task A_scratch_folder_that_is_a_planted_link_is_refused()
    {
        var victim = Victim();
        var folder = Path.Combine(_root, "scratch");
        File.CreateSymbolicLink(folder, victim);

        await Should.ThrowAsync<HostException>(() => ScratchFile.CreateAsync(folder, "dev-1-ab", 64,
            name => name == ScratchPolicy.AllowTmpfsVariable ? "1" : null, TestContext.Current.CancellationToken));

        Directory.EnumerateFileSystemEntries(victim).ShouldBeEmpty();
    }

    [Fact]
    public void A_machine_folder_that_is_a_planted_link_is_refused()
    {
        var victim = Victim();
        var machines = Path.Combine(_root, "machines");
        Directory.CreateDirectory(machines);
        File.CreateSymbolicLink(Path.Combine(machines, "dev"), victim);

        Should.Throw<HostException>(() => new MachineFolder(machines, "dev").Create());

        Directory.EnumerateFileSystemEntries(victim).ShouldBeEmpty();
    }

    [Fact(Timeout = 60_000)]
    public async Task A_persist_disk_that_is_a_planted_link_is_refused_and_its_target_untouched()
    {
        var victim = Path.Combine(_root, "victim-file");
        await File.WriteAllTextAsync(victim, "root's", TestContext.Current.CancellationToken);
        var disk = Path.Combine(_root, "persist.ext4");
        File.CreateSymbolicLink(disk, victim);

        await Should.ThrowAsync<HostException>(() => PersistDisk.PrepareAsync(disk, 2048, TestContext.Current.CancellationToken));

        (await File.ReadAllTextAsync(victim, TestContext.Current.CancellationToken)).ShouldBe("root's");
        new FileInfo(victim).Length.ShouldBe(6);
    }

    private static void Chown(string path, int uid) =>
        new HostCommand("chown").WithArguments($"{uid}:{uid}", path).RunAsync().GetAwaiter().GetResult();

    private static async Task<string> OwnerOf(string path) =>
        (await new HostCommand("stat").WithArguments("-c", "%u", path).RunAsync(TestContext.Current.CancellationToken)).Trim();

    public void Dispose() => new HostCommand("rm").WithArguments("-rf", "--one-file-system", _root).RunAsync().GetAwaiter().GetResult();
}
