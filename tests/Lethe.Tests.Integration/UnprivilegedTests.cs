using System.Text.Json;

namespace Lethe.Tests.Integration;

/// <summary>
/// The everyday commands as an ordinary user, with no sudo: the image this user built in a user namespace,
/// run, up, exec, reboot, down, verify and scratch. CI runs this part as an unprivileged user it creates
/// (.ci/run, <c>./run-tests unprivileged</c>); run as root, it skips.
/// </summary>
[Collection(MachineCollection.Name)]
[Trait("part", "unprivileged")]
public sealed class UnprivilegedTests(TestImage image)
{
    private const int Timeout = 900_000;

    private static void RequireOrdinaryUser()
    {
        if (Environment.IsPrivilegedProcess)
            Assert.Skip("checks what a user who is not root gets; CI runs this part as one (.ci/run)");
    }

    [Fact(Timeout = Timeout)]
    public async Task The_image_this_user_built_is_in_this_users_cache_and_the_next_build_finds_it()
    {
        RequireOrdinaryUser();
        var result = await LetheProcess.RunAsync(["build", "--spec", image.FastSpec, "--json"]);
        result.ExitCode.ShouldBe(0, result.ToString());
        using var json = JsonDocument.Parse(result.Stdout);
        json.RootElement.GetProperty("fromCache").GetBoolean().ShouldBeTrue(result.ToString());
        var folder = Path.Combine(LetheProcess.LetheHome, "cache", "images", json.RootElement.GetProperty("digest").GetString()!);

        var me = await HostText("id", "-u");
        foreach (var file in new[] { "rootfs.erofs", "vmlinux", "initramfs.cpio" })
            (await HostText("stat", "-c", "%u", Path.Combine(folder, file))).ShouldBe(me, file);
        (await HostText("stat", "-c", "%u", Path.ChangeExtension(image.FastSpec, ".lock"))).ShouldBe(me, "the lock beside the spec");
    }

    [Fact(Timeout = Timeout)]
    public async Task The_image_keeps_root_ownership_modes_and_setuid_bits_so_sudo_works()
    {
        RequireOrdinaryUser();
        var result = await LetheProcess.RunAsync(["run", "--spec", image.FastSpec, "--", "sh", "-c",
            "stat -c '%n %U:%G %a' /etc/shadow /usr/bin/su /usr/bin/sudo /etc/sudoers.d/lethe /etc/resolv.conf /var/cache/ldconfig /home/dev; sudo -n id -u"]);
        result.ExitCode.ShouldBe(0, result.ToString());
        result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).ShouldBe(
        [
            "/etc/shadow root:shadow 640",
            "/usr/bin/su root:root 4755",
            "/usr/bin/sudo root:root 4755",
            "/etc/sudoers.d/lethe root:root 440",
            "/etc/resolv.conf root:root 644",
            "/var/cache/ldconfig root:root 700",
            "/home/dev dev:dev 755",
            "0",
        ], result.ToString());
    }

    [Fact(Timeout = Timeout)]
    public async Task The_gateway_needs_no_privilege_and_enforces_the_egress_list_for_this_user()
    {
        RequireOrdinaryUser();
        await using var allowed = Network.LoopbackServer.Echo("allowed-banner");
        await using var other = Network.LoopbackServer.Echo("other-banner");
        var hosts = Path.Combine(image.Folder, "unprivileged-hosts");
        await File.WriteAllTextAsync(hosts, "127.0.0.1 echo.test\n", TestContext.Current.CancellationToken);
        var spec = image.WriteSpec("it-user-net", $"""
            network:
              egress: ["echo.test:{allowed.Port}"]
              allow: [127.0.0.1]
            """);
        var result = await LetheProcess.RunAsync(["run", "--spec", spec, "--", "bash", "-c",
            $"exec 3<>/dev/tcp/echo.test/{allowed.Port} && head -1 <&3; if timeout 10 bash -c 'exec 4<>/dev/tcp/echo.test/{other.Port}'; then echo other-reached; fi; getent hosts deb.debian.org || echo unlisted-name-refused"],
            environment: new Dictionary<string, string> { ["LETHE_NET_HOSTS"] = hosts });
        result.ExitCode.ShouldBe(0, result.ToString());
        result.Stdout.ShouldBe("allowed-banner\nunlisted-name-refused\n", result.ToString());
        other.Connections.ShouldBe(0);
    }

    [Fact(Timeout = Timeout)]
    public async Task Up_exec_reboot_and_down_keep_the_allowlist_and_wipe_the_rest()
    {
        RequireOrdinaryUser();
        const string name = "it-unpriv-ws";
        try
        {
            await LetheProcess.UpAsync(name, ["--spec", image.WorkstationSpec]);
            var write = await LetheProcess.RunAsync(["exec", name, "--", "sh", "-c", "echo kept > ~/src/file && echo lost > ~/outside && id -un"]);
            write.ExitCode.ShouldBe(0, write.ToString());
            write.Stdout.ShouldBe("dev\n", write.ToString());

            var reboot = await LetheProcess.RunAsync(["reboot", name]);
            reboot.ExitCode.ShouldBe(0, reboot.ToString());
            var read = await LetheProcess.RunAsync(["exec", name, "--", "sh", "-c", "cat ~/src/file; ls ~/outside 2>&1 | wc -l"]);
            read.ExitCode.ShouldBe(0, read.ToString());
            read.Stdout.ShouldBe("kept\n1\n", read.ToString());
            // The same identity after the reboot: its pinned host key still holds for the user's own ssh.
            var ssh = await LetheProcess.RunAsync(["ssh", name, "--", "cat", "src/file"]);
            ssh.ExitCode.ShouldBe(0, ssh.ToString());
            ssh.Stdout.ShouldBe("kept\n", ssh.ToString());

            var down = await LetheProcess.RunAsync(["down", name]);
            down.ExitCode.ShouldBe(0, down.ToString());
            var ps = await LetheProcess.RunAsync(["ps", "--json"]);
            using var machines = JsonDocument.Parse(ps.Stdout);
            machines.RootElement.EnumerateArray().Single(m => m.GetProperty("name").GetString() == name)
                .GetProperty("state").GetString().ShouldBe("stopped", ps.ToString());
        }
        finally
        {
            // Not the test's token: a timed-out test must still leave no machine behind.
            await LetheProcess.RunAsync(["down", name], CancellationToken.None, timeout: TimeSpan.FromMinutes(2));
        }
    }

    [Fact(Timeout = Timeout)]
    public async Task Verify_proves_the_wipe_on_a_throwaway_machine()
    {
        RequireOrdinaryUser();
        var result = await LetheProcess.RunAsync(["verify", "--spec", image.WorkstationSpec], timeout: TimeSpan.FromMinutes(10));
        result.ExitCode.ShouldBe(0, result.ToString());
    }

    [Fact(Timeout = Timeout)]
    public async Task The_encrypted_scratch_disk_is_set_up_and_its_host_file_goes_at_stop()
    {
        RequireOrdinaryUser();
        var scratch = Path.Combine(LetheProcess.LetheHome, "cache", "scratch");
        var result = await LetheProcess.RunAsync(["run", "--spec", image.FastSpec, "--scratch", "256M", "--", "sh", "-c",
            "findmnt -n -o FSTYPE /scratch && touch /scratch/mine && stat -c %U /scratch"]);
        result.ExitCode.ShouldBe(0, result.ToString());
        result.Stdout.ShouldBe("ext4\ndev\n", result.ToString());
        result.Stderr.ShouldNotContain("warning", Case.Insensitive, result.ToString());
        (Directory.Exists(scratch) ? Directory.GetFiles(scratch) : []).ShouldBeEmpty("the scratch file outlived the machine");
    }

    [Fact(Timeout = 1_800_000)]
    public async Task A_clean_rebuild_as_this_user_is_byte_identical()
    {
        RequireOrdinaryUser();
        var result = await LetheProcess.RunAsync(["build", "--spec", image.FastSpec, "--check"], timeout: TimeSpan.FromMinutes(25));
        result.ExitCode.ShouldBe(0, result.ToString());
        result.Stdout.ShouldContain("byte-identical", Case.Sensitive, result.ToString());
    }

    [Fact(Timeout = 1_800_000)]
    public async Task The_readmes_first_command_works_as_this_user()
    {
        RequireOrdinaryUser();
        var result = await LetheProcess.RunAsync(["run", "--", "cat", "/etc/os-release"], timeout: TimeSpan.FromMinutes(25));
        result.ExitCode.ShouldBe(0, result.ToString());
        result.Stdout.ShouldContain("ID=debian", Case.Sensitive, result.ToString());
    }

    private static async Task<string> HostText(string program, params string[] arguments)
    {
        using var process = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo(program, arguments) { RedirectStandardOutput = true })!;
        var text = await process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        await process.WaitForExitAsync(TestContext.Current.CancellationToken);
        process.ExitCode.ShouldBe(0, $"{program} {string.Join(' ', arguments)}");
        return text.Trim();
    }
}
