using System.Diagnostics;

namespace Lethe.Tests.Integration;

/// <summary>
/// A workstation's sshd, reached only through lethe proxy, its host key pinned: lethe ssh, plain ssh with the
/// written config, scp, and what must be refused (password and root logins, a wrong host key, a changed one).
/// One machine, booted twice: once to use, once after its pin was tampered with.
/// </summary>
[Collection(MachineCollection.Name)]
public sealed class SshTests(TestImage image)
{
    private const int Timeout = 900_000;
    private const string OtherKey = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIJa5bPzahrgoJCC8KAwA2XD2a5AcdMk1c7cqH25YvCfP";

    private static Task<LetheResult> Lethe(params string[] arguments) => LetheProcess.RunAsync(arguments);

    private static string MachineFolder(string name) => Path.Combine(LetheProcess.LetheHome, "state", "machines", name);

    [Fact(Timeout = Timeout)]
    public async Task Ssh_reaches_the_workstation_with_its_host_key_pinned_and_refuses_everything_else()
    {
        const string name = "it-ssh";
        var spec = image.WriteSpec(name, "persist: {size: 256M, paths: [~/src]}\nssh: {send_env: [LETHE_SSH_TEST_VALUE]}\ngpg: {forward_agent: true}\n");
        await Lethe("down", name);
        await Lethe("rm", name, "--yes");
        try
        {
            await LetheProcess.UpAsync(name, ["--spec", spec]);
            var knownHosts = Path.Combine(MachineFolder(name), "known_hosts");
            var pinned = await File.ReadAllTextAsync(knownHosts, TestContext.Current.CancellationToken);
            pinned.ShouldStartWith($"{name}.lethe ssh-ed25519 AAAA");
            File.GetUnixFileMode(Path.Combine(MachineFolder(name), "id_ed25519")).ShouldBe(UnixFileMode.UserRead | UnixFileMode.UserWrite);

            var unset = await Lethe("ssh", name, "--", "true");
            unset.ExitCode.ShouldBe(2, unset.ToString());
            unset.Stderr.ShouldContain("LETHE_SSH_TEST_VALUE", customMessage: unset.ToString());
            var whoami = await LetheSsh(name, "whoami");
            whoami.ExitCode.ShouldBe(0, whoami.ToString());
            whoami.Stdout.ShouldBe("dev\n", whoami.ToString());
            (await LetheSsh(name, "exit", "7")).ExitCode.ShouldBe(7);
            var sent = await LetheSsh(name, "echo", "$LETHE_SSH_TEST_VALUE");
            sent.Stdout.ShouldBe("sent-by-sendenv\n", sent.ToString());

            // ForwardAgent: a throwaway key in a real ssh-agent on the host is listed in the machine, only when asked.
            var agentSocket = Path.Combine(image.Folder, "agent.sock");
            var agentKey = Path.Combine(image.Folder, "agent_key");
            using var agent = Process.Start(new ProcessStartInfo("ssh-agent", ["-D", "-a", agentSocket]) { RedirectStandardOutput = true, UseShellExecute = false })!;
            try
            {
                var agentEnvironment = new Dictionary<string, string> { ["SSH_AUTH_SOCK"] = agentSocket, ["LETHE_SSH_TEST_VALUE"] = "x" };
                (await Run("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "throwaway", "-f", agentKey])).ExitCode.ShouldBe(0);
                for (var i = 0; i < 50 && !File.Exists(agentSocket); i++)
                    await Task.Delay(100, TestContext.Current.CancellationToken);
                var added = await Run("ssh-add", [agentKey], agentEnvironment);
                added.ExitCode.ShouldBe(0, added.ToString());
                var publicKey = (await File.ReadAllTextAsync(agentKey + ".pub", TestContext.Current.CancellationToken)).Split(' ')[1];
                var forwarded = await LetheProcess.RunAsync(["ssh", name, "--forward-agent", "--", "ssh-add", "-L"], environment: agentEnvironment);
                forwarded.ExitCode.ShouldBe(0, forwarded.ToString());
                forwarded.Stdout.ShouldContain(publicKey, customMessage: forwarded.ToString());
                var notForwarded = await LetheProcess.RunAsync(["ssh", name, "--", "ssh-add", "-L"], environment: agentEnvironment);
                notForwarded.ExitCode.ShouldNotBe(0, notForwarded.ToString());
                notForwarded.Stdout.ShouldNotContain(publicKey);
            }
            finally
            {
                agent.Kill();
            }

            // gpg.forward_agent: the host agent's extra socket answers in the machine, at the path the guest's gpg uses.
            var gnupgHome = Directory.CreateTempSubdirectory("lethe-ssh-gpg-").FullName;
            var gpgEnvironment = new Dictionary<string, string> { ["GNUPGHOME"] = gnupgHome, ["LETHE_SSH_TEST_VALUE"] = "x" };
            try
            {
                (await Run("gpgconf", ["--launch", "gpg-agent"], gpgEnvironment)).ExitCode.ShouldBe(0);
                var gpg = await LetheProcess.RunAsync(["ssh", name, "--", "gpg-connect-agent", "--no-autostart", "'GETINFO version'", "/bye"], environment: gpgEnvironment);
                gpg.ExitCode.ShouldBe(0, gpg.ToString());
                gpg.Stdout.ShouldStartWith("D 2.", customMessage: gpg.ToString());
            }
            finally
            {
                await Run("gpgconf", ["--kill", "gpg-agent"], gpgEnvironment);
                Directory.Delete(gnupgHome, recursive: true);
            }

            // sshd listens on the guest's loopback only. (Through ssh: this spec's sessions need their send_env
            // value and a gpg-agent, which a plain exec would have to bring as well.)
            var listening = await LetheSsh(name, "ss -Hltn 'sport = :22' | awk '{print $4}'");
            listening.Stdout.Trim().ShouldBe("127.0.0.1:22", listening.ToString());

            var written = await Lethe("ssh-config", "--write");
            written.ExitCode.ShouldBe(0, written.ToString());
            written.Stdout.ShouldStartWith("Include ");
            var config = written.Stdout.Trim()["Include ".Length..];
            (await File.ReadAllTextAsync(config, TestContext.Current.CancellationToken)).ShouldContain($"Host {name}.lethe\n");

            var plain = await Ssh(["-F", config, $"{name}.lethe", "whoami"]);
            plain.ExitCode.ShouldBe(0, plain.ToString());
            plain.Stdout.ShouldBe("dev\n");

            var local = Path.Combine(image.Folder, "scp-source");
            await File.WriteAllTextAsync(local, "copied by scp\n", TestContext.Current.CancellationToken);
            var scp = await Run("scp", ["-F", config, local, $"{name}.lethe:/home/dev/src/copied"]);
            scp.ExitCode.ShouldBe(0, scp.ToString());
            (await LetheSsh(name, "cat", "/home/dev/src/copied")).Stdout.ShouldBe("copied by scp\n");

            var password = await Ssh(["-F", config, "-o", "PreferredAuthentications=password,keyboard-interactive", "-o", "BatchMode=yes", $"{name}.lethe", "true"]);
            password.ExitCode.ShouldBe(255, password.ToString());
            password.Stderr.ShouldContain("Permission denied (publickey)", customMessage: password.ToString());

            var root = await Ssh(["-F", config, "-l", "root", $"{name}.lethe", "true"]);
            root.ExitCode.ShouldBe(255, root.ToString());
            root.Stderr.ShouldContain("Permission denied", customMessage: root.ToString());

            var wrongPin = Path.Combine(image.Folder, "wrong_known_hosts");
            await File.WriteAllTextAsync(wrongPin, $"{name}.lethe {OtherKey}\n", TestContext.Current.CancellationToken);
            var wrong = await Ssh(["-F", config, "-o", $"UserKnownHostsFile={wrongPin}", $"{name}.lethe", "true"]);
            wrong.ExitCode.ShouldBe(255, wrong.ToString());
            wrong.Stderr.ShouldContain("Host key verification failed", customMessage: wrong.ToString());

            // The machine keeps its identity: a different pinned key means the machine is not the one it was.
            (await Lethe("down", name)).ExitCode.ShouldBe(0);
            await File.WriteAllTextAsync(knownHosts, $"{name}.lethe {OtherKey}\n", TestContext.Current.CancellationToken);
            var refused = await Lethe("up", name, "--spec", spec);
            refused.ExitCode.ShouldBe(1, refused.ToString());
            refused.Stderr.ShouldContain("SSH host key", customMessage: refused.ToString());
            refused.Stderr.ShouldContain(knownHosts, customMessage: refused.ToString());
            var ps = await Lethe("ps");
            ps.Stdout.ShouldMatch($@"{name}\s+stopped", ps.ToString());
        }
        finally
        {
            await Lethe("down", name);
            await Lethe("rm", name, "--yes");
        }
    }

    [Fact(Timeout = Timeout)]
    public async Task Debian_s_ssh_service_serves_a_systemd_workstation_with_lethe_s_key_and_drop_in()
    {
        const string name = "it-ssh-systemd";
        var spec = Path.Combine(image.Folder, name + ".yaml");
        await File.WriteAllTextAsync(spec, (await File.ReadAllTextAsync(image.SystemdSpec, TestContext.Current.CancellationToken))
            .Replace("name: it-systemd", $"name: {name}", StringComparison.Ordinal) + "\npersist: {size: 256M, paths: [~/src]}\n", TestContext.Current.CancellationToken);
        File.Copy(Path.ChangeExtension(image.SystemdSpec, ".lock"), Path.ChangeExtension(spec, ".lock"), overwrite: true);
        await Lethe("down", name);
        await Lethe("rm", name, "--yes");
        try
        {
            await LetheProcess.UpAsync(name, ["--spec", spec]);
            var whoami = await Lethe("ssh", name, "--", "whoami; cat /proc/1/comm; sudo -n systemctl is-active ssh.service");
            whoami.ExitCode.ShouldBe(0, whoami.ToString());
            whoami.Stdout.ShouldBe("dev\nsystemd\nactive\n", whoami.ToString());
        }
        finally
        {
            await Lethe("down", name);
            await Lethe("rm", name, "--yes");
        }
    }

    /// <summary>lethe ssh NAME -- CMD, with the spec's send_env variable set.</summary>
    private static Task<LetheResult> LetheSsh(string name, params string[] command) =>
        LetheProcess.RunAsync(["ssh", name, "--", .. command], environment: new Dictionary<string, string> { ["LETHE_SSH_TEST_VALUE"] = "sent-by-sendenv" });

    private static Task<LetheResult> Ssh(IReadOnlyList<string> arguments) => Run("ssh", arguments);

    /// <summary>The host's own ssh or scp, as a user would run it after lethe ssh-config.</summary>
    private static async Task<LetheResult> Run(string program, IReadOnlyList<string> arguments, IReadOnlyDictionary<string, string>? environment = null)
    {
        var info = new ProcessStartInfo(program)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
            info.ArgumentList.Add(argument);
        info.Environment["LETHE_HOME"] = LetheProcess.LetheHome;
        foreach (var (variable, value) in environment ?? new Dictionary<string, string>())
            info.Environment[variable] = value;
        using var process = Process.Start(info)!;
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(TimeSpan.FromMinutes(3));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }
        return new LetheResult(process.ExitCode, await stdout, await stderr);
    }
}
