using Lethe.Core;
using Lethe.Machine.Workstation;
using Lethe.Spec;

namespace Lethe.Machine.Verify;

/// <summary>Carries out the proof against a running machine: canaries, one reboot, the checks.</summary>
public sealed class WipeProof(MachineFolder folder, MachineSpec spec)
{
    private readonly string _token = Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(6));
    private string Home => $"/home/{spec.User.Name}";

    public async Task<IReadOnlyList<CheckResult>> RunAsync(CancellationToken stop)
    {
        var allowlist = folder.ReadStatus()?.Allowlist ?? [];
        var directories = (await RootAsync(["sh", "-c", "for p; do [ -d \"$p\" ] && echo \"$p\"; done; true", "sh", .. allowlist], stop).ConfigureAwait(false))
            .Split('\n', StringSplitOptions.RemoveEmptyEntries).ToHashSet();
        var canaries = CanaryPlan.For(_token, Home, spec.User.Uid, spec.User.Uid, allowlist, directories);
        var results = new List<CheckResult>();

        var bound = await RootAsync(["sh", "-c", "for p; do findmnt -n -o TARGET --target \"$p\" | grep -qx \"$p\" && echo \"$p\"; done; true", "sh", .. allowlist], stop).ConfigureAwait(false);
        results.AddRange(allowlist.Select(p => bound.Split('\n').Contains(p)
            ? new CheckResult($"backed: {p}", true, "bind-mounted from the persist disk")
            : new CheckResult($"backed: {p}", false, "not mounted from the persist disk")));

        var identityBefore = await RootAsync(["sh", "-c", IdentityScript], stop).ConfigureAwait(false);
        await RootAsync(["sh", "-c", CanaryPlan.WriteScript(canaries)], stop).ConfigureAwait(false);
        var workspace = await WorkspaceBeforeRebootAsync(stop).ConfigureAwait(false);

        await MachineClient.RebootAsync(folder, stop).ConfigureAwait(false);

        results.AddRange(CanaryJudge.Judge(canaries, await RootAsync(["sh", "-c", CanaryPlan.ReadScript(canaries)], stop).ConfigureAwait(false)));
        results.AddRange(IdentityChecks(identityBefore, await RootAsync(["sh", "-c", IdentityScript], stop).ConfigureAwait(false)));
        results.AddRange(workspace);
        if (spec.Scratch is not null || folder.ReadStatus()?.Scratch is not null)
            results.AddRange(await ScratchChecks.RunAsync(folder, folder.ReadStatus()!, _token, argv => RootAsync(argv, stop)).ConfigureAwait(false));
        await RootAsync(["sh", "-c", CanaryPlan.RemoveScript(canaries.Where(c => c.MustSurvive))], stop).ConfigureAwait(false);
        return results;
    }

    private const string IdentityScript = "cat /etc/machine-id; cat /etc/ssh/ssh_host_*_key.pub 2>/dev/null | sha256sum | cut -c1-16";

    private IEnumerable<CheckResult> IdentityChecks(string before, string after)
    {
        if (spec.Identity != IdentityMode.Keep)
            yield break;
        var b = before.Split('\n');
        var a = after.Split('\n');
        yield return new CheckResult("identity: machine-id", b[0] == a[0], b[0] == a[0] ? $"unchanged ({a[0]})" : $"changed: {b[0]} → {a[0]}");
        const string noKeys = "e3b0c44298fc1c14"; // sha256 of nothing: the image has no SSH server
        if (b.Length > 1 && b[1] == noKeys && a.Length > 1 && a[1] == noKeys)
            yield return new CheckResult("identity: SSH host keys", true, "none in this image (no openssh-server)");
        else
            yield return new CheckResult("identity: SSH host keys", b.ElementAtOrDefault(1) == a.ElementAtOrDefault(1), b.ElementAtOrDefault(1) == a.ElementAtOrDefault(1) ? "unchanged" : "changed across the reboot");
    }

    /// <summary>rw: a guest write lands on the host, owned by a user, not root. overlay: it never reaches the host. none: nothing is shared.</summary>
    private async Task<IReadOnlyList<CheckResult>> WorkspaceBeforeRebootAsync(CancellationToken stop)
    {
        if (spec.Workspace is not { Mode: not WorkspaceMode.None, HostPath: { } hostPath } workspace)
        {
            var shared = await RootAsync(["sh", "-c", "findmnt -n -t 9p -o TARGET; true"], stop).ConfigureAwait(false);
            return [new CheckResult("workspace: none", shared.Trim().Length == 0, shared.Trim().Length == 0 ? "no host folder is shared" : $"a 9p share is mounted at {shared.Trim()}")];
        }
        var name = $".lethe-canary-{_token}";
        // As the user, not root: the guest's own permission checks are part of what is proved.
        using var errors = new MemoryStream();
        var code = await MachineClient.ExecAsync(folder, new Protocol.ExecRequest { Argv = ["sh", "-c", $"echo {_token} > {workspace.At}/{name}"] },
            new Run.RunStreams(Stream.Null, Stream.Null, errors, TextWriter.Null), stop).ConfigureAwait(false);
        var onHost = Path.Combine(hostPath, name);
        var landed = File.Exists(onHost);
        try
        {
            if (workspace.Mode == WorkspaceMode.Overlay)
                return [new CheckResult("workspace: overlay", !landed, landed ? "a guest write reached the host" : "guest writes stay in the machine")];
            if (!landed)
                return [new CheckResult("workspace: rw", false, $"a guest write did not reach the host (exit {code}: {System.Text.Encoding.UTF8.GetString(errors.ToArray()).Trim()})")];
            var owner = await new HostCommand("stat").WithArguments("-c", "%u", onHost).RunAsync(stop).ConfigureAwait(false);
            return [new CheckResult("workspace: rw", owner.Trim() != "0", $"guest writes land on the host, owned by uid {owner.Trim()}")];
        }
        finally
        {
            if (landed)
                File.Delete(onHost);
        }
    }

    private async Task<string> RootAsync(IReadOnlyList<string> argv, CancellationToken stop)
    {
        var (code, stdout, stderr) = await MachineClient.CaptureAsync(folder, argv, stop).ConfigureAwait(false);
        if (code != 0)
            throw new LetheException($"verify: a check command failed in {folder.Name} (exit {code}): {stderr.Trim()}");
        return stdout;
    }
}
