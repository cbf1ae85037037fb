namespace Lethe.Machine.Qemu;

/// <summary>
/// The unprivileged account QEMU runs as when lethe runs as root. QEMU never runs as root: it is
/// started as this account with no capabilities and no_new_privs, and reads its root-owned inputs
/// through file descriptors lethe opened for it.
/// </summary>
public sealed record VmmAccount(int Uid, int Gid, IReadOnlyList<int> Groups)
{
    public const int Nobody = 65534;

    /// <summary>The account for the current user: null (run as yourself) unless lethe runs as root.</summary>
    public static VmmAccount? ForCurrentUser(int? kvmGroup) =>
        Environment.UserName == "root" || GetEuid() == 0
            ? new VmmAccount(Nobody, Nobody, kvmGroup is { } g ? [g] : [])
            : null;

    public IReadOnlyList<string> SetprivArguments() =>
    [
        $"--reuid={Uid}", $"--regid={Gid}",
        Groups.Count == 0 ? "--clear-groups" : "--groups=" + string.Join(',', Groups),
    ];

    private static int GetEuid() => int.TryParse(File.ReadAllLines("/proc/self/status")
        .FirstOrDefault(l => l.StartsWith("Uid:", StringComparison.Ordinal))?.Split('\t', StringSplitOptions.RemoveEmptyEntries)[2], out var uid) ? uid : -1;
}
