namespace Lethe.Machine.Qemu;

/// <summary>
/// The unprivileged account QEMU runs as when lethe runs as root. QEMU never runs as root, never with
/// gid 0, and with no supplementary group but the accelerator's (kvm, only when KVM is used). It is a
/// per-run dynamic id that no other process has (<see cref="DynamicAccountRange"/>), except when it
/// serves a workspace: then it is the folder's owner with that user's primary group, so that files the
/// guest makes belong to them.
/// </summary>
public sealed record VmmAccount(int Uid, int Gid, IReadOnlyList<int> Groups)
{
    /// <summary>Pure: the account for one boot; null (QEMU runs as the user itself) unless lethe runs as root.</summary>
    public static VmmAccount? Decide(bool letheIsRoot, int? kvmGroup, ShareAccess? share, int dynamicId)
    {
        if (!letheIsRoot)
            return null;
        if (dynamicId <= 0 || !DynamicAccountRange.Contains(dynamicId))
            throw new ArgumentOutOfRangeException(nameof(dynamicId), "a dynamic id comes from lethe's range");
        int[] groups = kvmGroup is { } kvm && kvm != 0 ? [kvm] : [];
        return share is { RunAsUid: { } uid and not 0, RunAsGid: { } gid and not 0 }
            ? new VmmAccount(uid, gid, groups)
            : new VmmAccount(dynamicId, dynamicId, groups);
    }

    public IReadOnlyList<string> SetprivArguments() =>
    [
        $"--reuid={Uid}", $"--regid={Gid}",
        Groups.Count == 0 ? "--clear-groups" : "--groups=" + string.Join(',', Groups),
    ];
}
