using Lethe.Core;

namespace Lethe.Image.Rootfs;

/// <summary>
/// How lethe touches an image tree so that it sees the tree's real ownership. Root builds with
/// <c>mmdebstrap --mode=root</c> and runs tools directly. Another user builds in a user namespace
/// (<c>unshare --map-auto</c>: namespace ids 0–65534 are the user's subordinate ids from /etc/subuid),
/// where the tree's files belong to namespace root, so every tool that reads or writes the tree runs
/// in such a namespace too. The user's own id is mapped as well (to <see cref="OuterUserInside"/>), so
/// namespace root can reach the user's private folders, and files the user owns stay the user's.
/// </summary>
public sealed record TreeAccess(bool AsRoot)
{
    /// <summary>The invoking user's id inside the namespace: just past the 65536 subordinate ids.</summary>
    public const int OuterUserInside = 65536;

    /// <summary>Root keeps root mode: it has no subordinate range on a stock Debian, and needs none.</summary>
    public static TreeAccess ForThisProcess() => new(Environment.IsPrivilegedProcess);

    /// <summary>The mmdebstrap mode. Run as namespace root (see <see cref="Wrap"/>), unshare mode keeps the ids as they are.</summary>
    public string MmdebstrapMode => AsRoot ? "root" : "unshare";

    public static readonly IReadOnlyList<string> UnsharePrefix =
    [
        "--map-auto", $"--map-user={OuterUserInside}", $"--map-group={OuterUserInside}", "--setuid=0", "--setgid=0", "--",
    ];

    /// <summary>The command to run so that it sees the tree as root does (pure).</summary>
    public HostCommand Wrap(HostCommand command) =>
        AsRoot ? command : command with { Program = "unshare", Arguments = [.. UnsharePrefix, command.Program, .. command.Arguments] };
}
