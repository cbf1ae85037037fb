using Lethe.Guest.Native;
using Lethe.Protocol;
using Lethe.Protocol.Boot;

namespace Lethe.Guest.Boot;

/// <summary>
/// The persist disk in the running machine: the allowlisted paths bound from it before any user
/// process starts, and the disk left clean at power-off.
/// </summary>
internal static class Persistence
{
    private const int EBUSY = 16;

    /// <summary>Runs in the new root. Refuses to go on when a path cannot be kept: better no machine
    /// than a user writing into RAM what they believe is kept.</summary>
    public static void Apply(GuestSeed seed)
    {
        if (seed.Persist is not { } entries)
            return;
        var passwd = File.ReadAllText("/etc/passwd");
        var plan = PersistPlan.For(entries, seed.User, FileFacts.Lstat, owner => PersistOwner.Resolve(owner, passwd));
        if (plan.Problems.Count > 0)
            throw new IOException("cannot keep " + string.Join("; ", plan.Problems));
        StepRunner.Run(plan.Steps);
    }

    /// <summary>
    /// At power-off, after every process was killed: remount the disk read-only, which makes ext4
    /// write everything and mark itself clean (the bind mounts share its superblock). Processes that
    /// are still dying keep files open for a moment, so busy is retried.
    /// </summary>
    public static void Close()
    {
        Libc.sync();
        foreach (var mount in new[] { SeedLayout.PersistMount, MountPlan.NewRoot + SeedLayout.PersistMount })
        {
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(3);
            while (Libc.mount("none", mount, null, Libc.MS_REMOUNT | Libc.MS_RDONLY, null) < 0)
            {
                if (System.Runtime.InteropServices.Marshal.GetLastPInvokeError() != EBUSY || DateTime.UtcNow > deadline)
                    break;
                Thread.Sleep(10);
            }
        }
    }
}
