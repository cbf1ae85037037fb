namespace Lethe.Protocol.Boot;

/// <summary>
/// Pure: what the guest does, after switching into the new root and before any user process starts,
/// to keep the allowlisted paths on the persist disk. For a kept path P, the copy on the disk is
/// B = <see cref="SeedLayout.PersistData"/> + P, and B is bind-mounted over P.
/// <list type="bullet">
/// <item>B missing: a copy of P when the image has it (cp -a), else a new folder or empty file.</item>
/// <item>Owner and mode of B: the spec's when given (applied every boot), else the image's, else
/// <see cref="PersistDefaults"/>.</item>
/// <item>Missing parents of P are created with <see cref="PersistDefaults"/>; the parents of B mirror
/// the parents of P (the image's owner and mode, or the defaults), so the disk's tree mirrors the root.</item>
/// <item>A missing P is created (folder or empty file) as the mount point.</item>
/// </list>
/// Nothing is decided from an earlier boot except what is on the disk, so allowlist changes take effect
/// at the next boot. A path that cannot be kept safely is a problem: the guest refuses to boot rather
/// than let the user write into RAM believing it is kept.
/// </summary>
public sealed record PersistPlan(IReadOnlyList<BootStep> Steps, IReadOnlyList<string> Problems)
{
    /// <param name="lstat">What is at a path now (null when nothing is): the image's root and the disk.</param>
    /// <param name="resolveOwner">Resolves a spec owner in the guest's /etc/passwd (null when unknown).</param>
    public static PersistPlan For(IReadOnlyList<PersistPath> entries, GuestUser user,
        Func<string, PathFacts?> lstat, Func<string, OwnerIds?> resolveOwner) =>
        new PersistPlanner(user, lstat, resolveOwner).Plan(entries);
}
