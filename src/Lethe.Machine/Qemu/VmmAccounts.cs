using System.Globalization;
using Lethe.Core;

namespace Lethe.Machine.Qemu;

/// <summary>Reads what the account decision needs from the host (file owners, /etc/passwd) and claims a dynamic id.</summary>
public static class VmmAccounts
{
    /// <summary>
    /// The account QEMU runs as for one boot, how the workspace is shared, and the dynamic id's lease,
    /// which must live as long as QEMU (null when lethe is not root: QEMU is then the user itself).
    /// </summary>
    public static async Task<(VmmAccount? Account, ShareAccess? Share, DynamicAccountLease? Lease)> ForBootAsync(bool kvm, string? sharedFolder, CancellationToken stop)
    {
        var letheIsRoot = Environment.IsPrivilegedProcess;
        ShareAccess? share = null;
        if (sharedFolder is not null)
        {
            var (uid, _) = await OwnerOfAsync(sharedFolder, stop).ConfigureAwait(false);
            var primaryGid = HostIds.PrimaryGroupOf(ReadOrEmpty("/etc/passwd"), uid);
            share = ShareAccess.Decide(letheIsRoot, uid, primaryGid, File.GetUnixFileMode(sharedFolder), sharedFolder);
        }
        if (!letheIsRoot)
            return (null, share, null);
        int? kvmGroup = kvm ? (await OwnerOfAsync("/dev/kvm", stop).ConfigureAwait(false)).Gid : null;
        var lease = DynamicAccountLease.Claim();
        return (VmmAccount.Decide(letheIsRoot, kvmGroup, share, lease.Id), share, lease);
    }

    private static async Task<(int Uid, int Gid)> OwnerOfAsync(string path, CancellationToken stop)
    {
        var parts = (await new HostCommand("stat").WithArguments("-L", "-c", "%u %g", path).RunAsync(stop).ConfigureAwait(false)).Trim().Split(' ');
        return parts.Length == 2 && int.TryParse(parts[0], CultureInfo.InvariantCulture, out var uid) && int.TryParse(parts[1], CultureInfo.InvariantCulture, out var gid)
            ? (uid, gid)
            : throw new HostException($"cannot read the owner of {path}");
    }

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
