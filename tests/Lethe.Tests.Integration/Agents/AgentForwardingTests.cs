namespace Lethe.Tests.Integration.Agents;

/// <summary>
/// Forwarded agents over the control channel: a real ssh-agent and a real gpg-agent on the host, each with a
/// throwaway key, used from inside the machine; the keys stay on the host.
/// </summary>
[Collection(MachineCollection.Name)]
public sealed class AgentForwardingTests(TestImage image)
{
    private const int Timeout = 900_000;

    [Fact(Timeout = 120_000)]
    public async Task A_forward_with_no_agent_on_the_host_is_one_line_and_exit_3_before_anything_boots()
    {
        var unset = await LetheProcess.RunAsync(["run", "--spec", image.FastSpec, "--forward-agent", "--", "true"],
            environment: new Dictionary<string, string> { ["SSH_AUTH_SOCK"] = "" });
        unset.ExitCode.ShouldBe(3, unset.ToString());
        unset.Stderr.Trim().Split('\n').ShouldHaveSingleItem().ShouldContain("SSH_AUTH_SOCK is not set");

        var gone = await LetheProcess.RunAsync(["run", "--spec", image.FastSpec, "--forward-agent", "--", "true"],
            environment: new Dictionary<string, string> { ["SSH_AUTH_SOCK"] = "/nonexistent/agent.sock" });
        gone.ExitCode.ShouldBe(3, gone.ToString());
        gone.Stderr.Trim().Split('\n').ShouldHaveSingleItem().ShouldContain("does not answer");
    }

    [Fact(Timeout = Timeout)]
    public async Task In_lethe_run_the_forwarded_ssh_agent_lists_and_signs_with_the_host_key_and_the_private_key_is_nowhere_in_the_guest()
    {
        await using var agent = await HostSshAgent.StartAsync();
        var nonce = Guid.NewGuid().ToString("N");
        // Every line of base64 as long as an OpenSSH private key's lines, in every file outside /proc, /sys and /dev,
        // read as root: the host compares them with the key, so no part of it is ever sent into the guest. In the C
        // locale, which matches the same lines (the pattern is ASCII): grep's UTF-8 matching made the scan take
        // about 4 minutes under TCG, the C locale about 15 s.
        const string script = """
            set -e
            ssh-add -L
            echo "---socket"
            stat -c '%U %a' "$(dirname "$SSH_AUTH_SOCK")" "$SSH_AUTH_SOCK"
            printf %s "$1" > /tmp/message
            ssh-add -L > /tmp/key.pub
            ssh-keygen -Y sign -q -f /tmp/key.pub -n file /tmp/message
            echo "---signature"
            cat /tmp/message.sig
            echo "---scan"
            set --
            for d in /*; do case "$d" in /proc|/sys|/dev) ;; *) set -- "$@" "$d" ;; esac; done
            sudo env LC_ALL=C grep -rIhoxE --devices=skip '[A-Za-z0-9+/=]{60,80}' "$@" 2>/dev/null | LC_ALL=C sort -u || true
            echo "---end"
            """;

        var run = await LetheProcess.RunAsync(["run", "--spec", image.FastSpec, "--forward-agent", "--", "sh", "-c", script, "sh", nonce],
            environment: agent.Environment, timeout: TimeSpan.FromMinutes(14));

        run.ExitCode.ShouldBe(0, run.ToString());
        var listed = Section(run.Stdout, null, "---socket");
        listed.Trim().ShouldBe(agent.PublicKey, run.ToString());
        Section(run.Stdout, "---socket", "---signature").Trim().Split('\n').ShouldBe(["dev 700", "dev 600"]);
        var signature = Section(run.Stdout, "---signature", "---scan");
        signature.ShouldContain("-----BEGIN SSH SIGNATURE-----");
        (await agent.VerifiesAsync(nonce, signature)).ShouldBeTrue("the guest's signature verifies with the host key");
        (await agent.VerifiesAsync(nonce + "x", signature)).ShouldBeFalse("the check can fail");

        var scanned = Section(run.Stdout, "---scan", "---end").Split('\n', StringSplitOptions.RemoveEmptyEntries).ToHashSet();
        scanned.Count.ShouldBeGreaterThan(10, "the scan read the guest's files");
        var keyLines = agent.PrivateKeyLines();
        keyLines.Count.ShouldBeGreaterThan(2);
        keyLines.Where(scanned.Contains).ShouldBeEmpty("no line of the private key is in any file of the guest");
    }

    [Fact(Timeout = Timeout)]
    public async Task With_gpg_forward_agent_in_the_spec_gpg_signs_in_the_guest_through_the_host_agent_and_the_signature_verifies_on_the_host()
    {
        await using var key = await HostGpgKey.CreateAsync();
        var spec = image.WriteSpec("it-gpg-forward", "gpg:\n  forward_agent: true\n");
        var nonce = Guid.NewGuid().ToString("N");
        const string script = """
            set -e
            printf %s "$1" | gpg --batch --armor --sign --local-user test@lethe.invalid
            echo "---secret"
            find ~/.gnupg/private-keys-v1.d -type f 2>/dev/null | wc -l
            """;

        var run = await LetheProcess.RunAsync(["run", "--spec", spec, "--", "sh", "-c", script, "sh", nonce],
            environment: key.Environment, timeout: TimeSpan.FromMinutes(10));

        run.ExitCode.ShouldBe(0, run.ToString());
        run.Stderr.ShouldNotContain("not imported", customMessage: "the import must not wait on the agent it imports for");
        var signed = Section(run.Stdout, null, "---secret");
        signed.ShouldContain("-----BEGIN PGP MESSAGE-----");
        Section(run.Stdout, "---secret", null).Trim().ShouldBe("0", "no secret key material in the guest's keyring");
        var status = await key.VerifyAsync(signed);
        status.ShouldContain("[GNUPG:] GOODSIG", customMessage: status);
        (await key.VerifyAsync(signed.Replace("\n\n", "\n\nX", StringComparison.Ordinal))).ShouldNotContain("GOODSIG");
    }

    [Fact(Timeout = Timeout)]
    public async Task Exec_with_forward_agent_into_a_running_workstation_lists_the_key_and_an_exec_without_it_gets_no_agent()
    {
        const string name = "it-agent-ws";
        var spec = image.WriteSpec(name, "");
        await using var agent = await HostSshAgent.StartAsync();
        try
        {
            await LetheProcess.UpAsync(name, ["--spec", spec]);

            var forwarded = await LetheProcess.RunAsync(["exec", name, "--forward-agent", "--", "ssh-add", "-L"], environment: agent.Environment);
            forwarded.ExitCode.ShouldBe(0, forwarded.ToString());
            forwarded.Stdout.Trim().ShouldBe(agent.PublicKey);

            var plain = await LetheProcess.RunAsync(["exec", name, "--", "sh", "-c", "echo \"sock=${SSH_AUTH_SOCK:-none}\"; ssh-add -L"], environment: agent.Environment);
            plain.ExitCode.ShouldBe(2, plain.ToString());
            plain.Stdout.ShouldContain("sock=none");
            plain.Stdout.ShouldNotContain(agent.PublicKey);
        }
        finally
        {
            await LetheProcess.RunAsync(["down", name], timeout: TimeSpan.FromMinutes(3));
        }
    }

    /// <summary>The text between two marker lines (or the start / the end).</summary>
    private static string Section(string text, string? from, string? to)
    {
        var start = from is null ? 0 : text.IndexOf(from + "\n", StringComparison.Ordinal) + from.Length + 1;
        var end = to is null ? text.Length : text.IndexOf(to + "\n", start, StringComparison.Ordinal);
        (from is null || start > from.Length).ShouldBeTrue($"no {from} in: {text}");
        end.ShouldBeGreaterThanOrEqualTo(start, $"no {to} in: {text}");
        return text[start..end];
    }
}
