namespace Lethe.Machine.Qemu;

/// <summary>
/// Pure: how an unprivileged QEMU can serve a shared folder. As root, lethe runs QEMU as the folder's
/// owner with that user's primary group, so that files the guest creates belong to that user. A folder
/// that belongs to root, or to an owner without an account or whose primary group is root's, is served
/// by the run's dynamic account instead: shared read-only in effect if others may read it, and not at
/// all otherwise.
/// </summary>
public sealed record ShareAccess(int? RunAsUid, int? RunAsGid, bool Shared, string? Note)
{
    public static ShareAccess Decide(bool letheIsRoot, int ownerUid, int? ownerPrimaryGid, UnixFileMode mode, string path)
    {
        if (!letheIsRoot)
            return new ShareAccess(null, null, true, null);
        if (ownerUid != 0 && ownerPrimaryGid is { } gid and not 0)
            return new ShareAccess(ownerUid, gid, true, null);
        var why = ownerUid == 0 ? "it belongs to root" : $"its owner (uid {ownerUid}) has no account with a primary group other than root's";
        var othersCanRead = mode.HasFlag(UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        return othersCanRead
            ? new ShareAccess(null, null, true, $"lethe: {path}: {why}, and QEMU never runs as root or with root's group: the machine can read it but not write to it")
            : new ShareAccess(null, null, false, $"lethe: not sharing {path}: {why}, others may not read it, and QEMU never runs as root or with root's group");
    }
}
