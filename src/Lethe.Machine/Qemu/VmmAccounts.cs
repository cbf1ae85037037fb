using Lethe.Core;

namespace Lethe.Machine.Qemu;

/// <summary>Reads what the account decision needs from the host (file owners, /etc/passwd) and claims a dynamic id.</summary>
public static class VmmAccounts
{
    /// <summary>
    /// The account QEMU runs as for one boot, how the workspace is shared, and the dynamic id's lease,
    /// which must live as long as QEMU (null when lethe is not root: QEMU is then the user itself).
    /// </summary>
    public static Task<(VmmAccount? Account, ShareAccess? Share, DynamicAccountLease? Lease)> ForBootAsync(bool kvm, string? sharedFolder, CancellationToken stop)
    {
        stop.ThrowIfCancellationRequested();
        return Task.FromResult(ForBoot(kvm, sharedFolder));
    }

    private static (VmmAccount? Account, ShareAccess? Share, DynamicAccountLease? Lease) ForBoot(bool kvm, string? sharedFolder)
    {
        var letheIsRoot = Environment.IsPrivilegedProcess;
        ShareAccess? share = null;
        if (sharedFolder is not null)
        {
            var (uid, _) = OwnerOf(sharedFolder);
            var primaryGid = HostIds.PrimaryGroupOf(ReadOrEmpty("/etc/passwd"), uid);
            share = ShareAccess.Decide(letheIsRoot, uid, primaryGid, File.GetUnixFileMode(sharedFolder), sharedFolder);
        }
        if (!letheIsRoot)
            return (null, share, null);
        int? kvmGroup = kvm ? OwnerOf("/dev/kvm").Gid : null;
        var lease = DynamicAccountLease.Claim();
        return (VmmAccount.Decide(letheIsRoot, kvmGroup, share, lease.Id), share, lease);
    }

    /// <summary>The owner of what the path names, links followed (as stat -L): a syscall, not a process per boot.</summary>
    private static (int Uid, int Gid) OwnerOf(string path) =>
        PosixFiles.Stat(path) is { } facts ? (facts.Uid, facts.Gid) : throw new HostException($"cannot read the owner of {path}");

    private static string ReadOrEmpty(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return "";
        }
    }
}
