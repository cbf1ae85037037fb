using Lethe.Core;
using Lethe.Machine.Persist;
using Lethe.Machine.Workstation;
using Lethe.Protocol.Boot;
using Lethe.Spec;

namespace Lethe.Machine.Verify;

/// <summary>
/// Carries out the proof against a running machine: canaries, one reboot, the checks. Every root action
/// in the guest goes through <see cref="GuestRoot"/>: canaries are written, read and removed by steps
/// that never follow a link, and whether a kept path is backed comes from the mount table, not from a
/// path lookup that a planted link could redirect.
/// </summary>
public sealed class WipeProof(MachineFolder folder, MachineSpec spec)
{
    private readonly string _token = Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(6));
    private readonly GuestRoot _root = new(folder);
    private string Home => $"/home/{spec.User.Name}";

    public async Task<IReadOnlyList<CheckResult>> RunAsync(CancellationToken stop)
    {
        var allowlist = folder.ReadStatus()?.Allowlist ?? [];
        var kinds = await _root.StepsAsync(allowlist.Select(p => (BootStep)new ReadEntry(p)).ToList(), stop).ConfigureAwait(false);
        var canaries = CanaryPlan.For(_token, Home, spec.User.Uid, spec.User.Uid, allowlist, CanaryPlan.Directories(allowlist, kinds));
        var results = new List<CheckResult>();

        var mounts = await _root.MountsAsync(stop).ConfigureAwait(false);
        results.AddRange(allowlist.Select(p => MountTable.IsBacked(mounts, p)
            ? new CheckResult($"backed: {p}", true, "bind-mounted from the persist disk")
            : new CheckResult($"backed: {p}", false, "not mounted from the persist disk")));
        // An allowlisted folder that is not a folder (a link, say) gets no canary; it fails here by name.
        results.AddRange(allowlist.Zip(kinds).Where(p => p.Second.Facts?.Kind is PathKind.Symlink or PathKind.Other || !p.Second.Ok)
            .Select(p => new CheckResult($"kept: {p.First}", false, p.Second.Ok ? $"it is a {p.Second.Facts!.Kind.ToString().ToLowerInvariant()}, not the kept file or folder" : p.Second.Error ?? "unreadable")));

        var identityBefore = await _root.RunAsync([GuestRoot.Shell, "-c", IdentityScript], stop).ConfigureAwait(false);
        var written = await _root.StepsAsync(CanaryPlan.Write(canaries), stop).ConfigureAwait(false);
        await _root.RunAsync(["/usr/bin/sync"], stop).ConfigureAwait(false);
        var workspace = await WorkspaceBeforeRebootAsync(mounts, stop).ConfigureAwait(false);

        await MachineClient.RebootAsync(folder, stop).ConfigureAwait(false);

        var read = await _root.StepsAsync(CanaryPlan.Read(canaries), stop).ConfigureAwait(false);
        results.AddRange(CanaryJudge.Judge(canaries, written, read));
        results.AddRange(IdentityChecks(identityBefore, await _root.RunAsync([GuestRoot.Shell, "-c", IdentityScript], stop).ConfigureAwait(false)));
        results.AddRange(workspace);
        if (spec.Scratch is not null || folder.ReadStatus()?.Scratch is not null)
            results.AddRange(await ScratchChecks.RunAsync(folder, folder.ReadStatus()!, _token, _root, stop).ConfigureAwait(false));
        await _root.StepsAsync(CanaryPlan.Remove(canaries.Where(c => c.MustSurvive)), stop).ConfigureAwait(false);
        return results;
    }

    private const string IdentityScript = "/usr/bin/cat /etc/machine-id; /usr/bin/cat /etc/ssh/ssh_host_*_key.pub 2>/dev/null | /usr/bin/sha256sum | /usr/bin/cut -c1-16";

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
    private async Task<IReadOnlyList<CheckResult>> WorkspaceBeforeRebootAsync(IReadOnlyList<MountEntry> mounts, CancellationToken stop)
    {
        if (spec.Workspace is not { Mode: not WorkspaceMode.None, HostPath: { } hostPath } workspace)
        {
            var shared = string.Join(", ", mounts.Where(m => m.FsType == "9p").Select(m => FileListing.Shown(m.MountPoint)));
            return [new CheckResult("workspace: none", shared.Length == 0, shared.Length == 0 ? "no host folder is shared" : $"a 9p share is mounted at {shared}")];
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
                return [new CheckResult("workspace: rw", false, $"a guest write did not reach the host (exit {code}: {FileListing.Shown(System.Text.Encoding.UTF8.GetString(errors.ToArray()).Trim())})")];
            var owner = await new HostCommand("stat").WithArguments("-c", "%u", onHost).RunAsync(stop).ConfigureAwait(false);
            return [new CheckResult("workspace: rw", owner.Trim() != "0", $"guest writes land on the host, owned by uid {owner.Trim()}")];
        }
        finally
        {
            if (landed)
                File.Delete(onHost);
        }
    }
}
