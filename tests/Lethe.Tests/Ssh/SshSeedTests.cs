using Lethe.Core;
using Lethe.Image;
using Lethe.Machine.Accel;
using Lethe.Machine.Run;
using Lethe.Machine.Seed;
using Lethe.Machine.Ssh;
using Lethe.Machine.Workstation;
using Lethe.Spec;

namespace Lethe.Tests.Ssh;

/// <summary>What reaches the guest for sshd: public keys and variable names, and only for a workstation.</summary>
public sealed class SshSeedTests
{
    private static MachineSpec Spec(string yaml) => SpecLoader.Parse(yaml, null).Spec.ShouldNotBeNull();

    private static BootRequest Boot(MachineSpec spec, IReadOnlyList<string>? sshKeys) => new()
    {
        Spec = spec,
        Image = new ImageSet("digest", "/i", "/i/rootfs.erofs", "/i/vmlinux", "/i/initramfs.cpio", "6.1.0", [], true),
        Accel = new AccelDecision(Accelerator.Tcg, "test"),
        MemoryMiB = 1024,
        Cpus = 1,
        PersistDisk = sshKeys is null ? null : "/p.ext4",
        SshKeys = sshKeys,
    };

    [Fact]
    public void A_workstation_seed_carries_the_public_keys_and_the_send_env_names_only()
    {
        var seed = SeedBuilder.For(Boot(Spec("ssh: {send_env: [GITHUB_TOKEN]}\n"), [SshKeyFormatTests.Ed25519]));
        seed.Ssh.ShouldNotBeNull().AuthorizedKeys.ShouldBe([SshKeyFormatTests.Ed25519]);
        seed.Ssh.AcceptEnv.ShouldBe(["GITHUB_TOKEN"]);
    }

    [Fact]
    public void A_one_shot_run_starts_no_sshd() =>
        SeedBuilder.For(Boot(Spec(""), null)).Ssh.ShouldBeNull();

    [Fact]
    public async Task A_private_key_listed_in_the_spec_is_a_spec_error_that_never_shows_the_key()
    {
        var folder = Directory.CreateTempSubdirectory("lethe-ssh-keys-").FullName;
        try
        {
            const string secret = "b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW";
            await File.WriteAllTextAsync(Path.Combine(folder, "id.pub"), $"-----BEGIN OPENSSH PRIVATE KEY-----\n{secret}\n-----END OPENSSH PRIVATE KEY-----\n",
                TestContext.Current.CancellationToken);
            var spec = Spec("ssh: {authorized_keys: [~/id.pub]}\n");
            var error = await Should.ThrowAsync<UsageException>(() =>
                ClientKeys.ResolveAsync(spec.Ssh, new MachineFolder(folder, "box"), folder, TestContext.Current.CancellationToken));
            error.ExitCode.ShouldBe(ExitCodes.Usage);
            error.Message.ShouldBe("ssh.authorized_keys: ~/id.pub holds a private key, not a public one (list its .pub file)");
            error.Message.ShouldNotContain(secret);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task Public_key_files_are_read_with_the_home_expanded()
    {
        var folder = Directory.CreateTempSubdirectory("lethe-ssh-keys-").FullName;
        try
        {
            await File.WriteAllTextAsync(Path.Combine(folder, "a.pub"), SshKeyFormatTests.Ed25519 + " me@host\n", TestContext.Current.CancellationToken);
            var spec = Spec("ssh: {authorized_keys: [~/a.pub]}\n");
            (await ClientKeys.ResolveAsync(spec.Ssh, new MachineFolder(folder, "box"), folder, TestContext.Current.CancellationToken))
                .ShouldBe([SshKeyFormatTests.Ed25519]);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
