using System.Diagnostics;
using Lethe.Machine.Seed;
using Lethe.Protocol;
using Lethe.Spec;

namespace Lethe.Tests.Machine;

public sealed class SeedTests
{
    private static MachineSpec Spec(string yaml) => SpecLoader.Parse(yaml, null).Spec.ShouldNotBeNull();

    [Fact]
    public void The_seed_carries_user_hostname_init_and_env_from_the_spec()
    {
        var seed = SeedBuilder.For(Spec("name: box\nuser: {name: ana, uid: 1500}\ninit: systemd\nenv: {EDITOR: vim}\n"), 2048, debug: false);
        seed.Hostname.ShouldBe("box");
        seed.User.ShouldBe(new GuestUser("ana", 1500, 1500, "/home/ana", "/bin/bash"));
        seed.Init.ShouldBe(InitMode.Systemd);
        seed.Environment.ShouldNotBeNull()["EDITOR"].ShouldBe("vim");
        seed.MemoryMiB.ShouldBe(2048);
    }

    [Fact(Timeout = 30_000)]
    public async Task The_run_initramfs_is_the_cached_one_followed_by_a_seed_archive_the_system_cpio_reads()
    {
        var dir = Directory.CreateTempSubdirectory("lethe-seed-").FullName;
        try
        {
            var cached = Path.Combine(dir, "cached.cpio");
            await File.WriteAllBytesAsync(cached, [1, 2, 3, 4, 5], TestContext.Current.CancellationToken);
            var seed = SeedBuilder.For(SpecLoader.Default(), 1024, false);
            var combined = Path.Combine(dir, "run.cpio");
            SeedArchive.WriteRunInitramfs(cached, seed, combined);

            var bytes = await File.ReadAllBytesAsync(combined, TestContext.Current.CancellationToken);
            bytes.Take(5).ShouldBe(new byte[] { 1, 2, 3, 4, 5 });
            var seedArchive = Path.Combine(dir, "seed.cpio");
            await File.WriteAllBytesAsync(seedArchive, bytes.Skip(8).ToArray(), TestContext.Current.CancellationToken);

            var extract = Path.Combine(dir, "out");
            Directory.CreateDirectory(extract);
            var cpio = Process.Start(new ProcessStartInfo("sh", ["-c", $"cpio -id < {seedArchive}"]) { WorkingDirectory = extract, RedirectStandardError = true })!;
            await cpio.WaitForExitAsync(TestContext.Current.CancellationToken);
            cpio.ExitCode.ShouldBe(0);
            var read = ProtocolJson.DeserializeSeed(await File.ReadAllBytesAsync(Path.Combine(extract, SeedLayout.SeedPath), TestContext.Current.CancellationToken));
            read.ShouldNotBeNull().User.Name.ShouldBe("dev");
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }
}
