using Lethe.Core;
using Lethe.Machine.Scratch;

namespace Lethe.Tests.Scratch;

/// <summary>Real folders: one on the disk under the system temp dir, and /dev/shm (tmpfs) for the refusal.</summary>
public sealed class ScratchFileTests : IDisposable
{
    private readonly string _folder = Path.Combine(Directory.CreateTempSubdirectory("lethe-scratch-").FullName, "scratch");
    private static readonly Func<string, string?> NoVariables = _ => null;

    [Fact(Timeout = 60_000)]
    public async Task The_file_is_sparse_private_and_named_after_the_run_and_goes_at_dispose()
    {
        var scratch = await ScratchFile.CreateAsync(_folder, "dev-1-ab", 1024, NoVariables, TestContext.Current.CancellationToken);
        try
        {
            scratch.Path.ShouldBe(Path.Combine(_folder, "dev-1-ab.scratch"));
            new FileInfo(scratch.Path).Length.ShouldBe(1L << 30);
            File.GetUnixFileMode(scratch.Path).ShouldBe(UnixFileMode.UserRead | UnixFileMode.UserWrite);
            File.GetUnixFileMode(_folder).ShouldBe(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            var allocated = await new HostCommand("stat").WithArguments("-c", "%b", scratch.Path).RunAsync(TestContext.Current.CancellationToken);
            long.Parse(allocated.Trim()).ShouldBeLessThan(64); // blocks of 512: nothing written
        }
        finally
        {
            scratch.Dispose();
        }
        File.Exists(scratch.Path).ShouldBeFalse();
    }

    [Fact(Timeout = 60_000)]
    public async Task A_folder_on_tmpfs_is_refused_with_exit_3_unless_allowed()
    {
        if (!Directory.Exists("/dev/shm") || await ScratchFile.FileSystemTypeAsync("/dev/shm", TestContext.Current.CancellationToken) != "tmpfs")
            Assert.Skip("no tmpfs at /dev/shm");
        var folder = Path.Combine("/dev/shm", $"lethe-scratch-test-{Guid.NewGuid():N}");
        try
        {
            var refused = await Should.ThrowAsync<HostException>(() => ScratchFile.CreateAsync(folder, "r", 16, NoVariables, TestContext.Current.CancellationToken));
            refused.ExitCode.ShouldBe(ExitCodes.HostCannot);
            refused.Message.ShouldContain("is on tmpfs");
            Directory.GetFiles(folder).ShouldBeEmpty();

            using var allowed = await ScratchFile.CreateAsync(folder, "r", 16, v => v == ScratchPolicy.AllowTmpfsVariable ? "1" : null, TestContext.Current.CancellationToken);
            File.Exists(allowed.Path).ShouldBeTrue();
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact(Timeout = 60_000)]
    public async Task A_disk_larger_than_the_free_space_is_refused_before_anything_is_made()
    {
        var refused = await Should.ThrowAsync<HostException>(() => ScratchFile.CreateAsync(_folder, "big", 1L << 30, NoVariables, TestContext.Current.CancellationToken));
        refused.Message.ShouldStartWith("the scratch disk needs 1048576 GiB but ");
        Directory.GetFiles(_folder).ShouldBeEmpty();
    }

    [Fact(Timeout = 60_000)]
    public async Task Files_of_dead_runs_are_removed_and_live_ones_and_others_kept()
    {
        using var live = await ScratchFile.CreateAsync(_folder, "live", 1, NoVariables, TestContext.Current.CancellationToken);
        var dead = await ScratchFile.CreateAsync(_folder, "dead", 1, NoVariables, TestContext.Current.CancellationToken);
        var other = Path.Combine(_folder, "notes.txt");
        await File.WriteAllTextAsync(other, "x", TestContext.Current.CancellationToken);

        ScratchFile.CleanStale(_folder, run => run == "live").ShouldBe(1);

        File.Exists(dead.Path).ShouldBeFalse();
        File.Exists(live.Path).ShouldBeTrue();
        File.Exists(other).ShouldBeTrue();
        ScratchFile.CleanStale(Path.Combine(_folder, "missing"), _ => false).ShouldBe(0);
    }

    public void Dispose() => Directory.Delete(Path.GetDirectoryName(_folder)!, recursive: true);
}
