namespace Lethe.Machine.Qemu;

/// <summary>
/// Pure: how an unprivileged QEMU can serve a shared folder. As root, lethe runs QEMU as the folder's
/// owner, so that files the guest creates belong to that user. A root-owned folder would need QEMU to
/// run as root, which lethe never does: it is shared read-only in effect if others may read it, and
/// not at all otherwise.
/// </summary>
public sealed record ShareAccess(int? RunAsUid, int? RunAsGid, bool Shared, string? Note)
{
    public static ShareAccess Decide(bool letheIsRoot, int ownerUid, int ownerGid, UnixFileMode mode, string path)
    {
        if (!letheIsRoot)
            return new ShareAccess(null, null, true, null);
        if (ownerUid != 0)
            return new ShareAccess(ownerUid, ownerGid, true, null);
        var othersCanRead = mode.HasFlag(UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        return othersCanRead
            ? new ShareAccess(null, null, true, $"lethe: {path} belongs to root and QEMU never runs as root: the machine can read it but not write to it")
            : new ShareAccess(null, null, false, $"lethe: not sharing {path}: it belongs to root, others may not read it, and QEMU never runs as root");
    }
}
