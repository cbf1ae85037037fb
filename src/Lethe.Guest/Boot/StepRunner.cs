using Lethe.Guest.Native;
using Lethe.Protocol.Boot;

namespace Lethe.Guest.Boot;

/// <summary>
/// The guest's one interpreter of <see cref="BootStep"/>s: the mount plan, the persist plan and lethe's
/// checks in a running machine. Paths a user could have touched are handled by <see cref="NoFollow"/>.
/// </summary>
internal static class StepRunner
{
    /// <summary>At boot: the first failure stops the boot.</summary>
    public static void Run(IEnumerable<BootStep> steps)
    {
        foreach (var step in steps)
            Run(step);
    }

    /// <summary>In a running machine: every step runs, and each says how it went.</summary>
    public static StepOutcome Try(BootStep step)
    {
        try
        {
            return step is ReadEntry r ? NoFollow.Read(r.Path) : Run(step);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidOperationException)
        {
            return new StepOutcome(false, e.Message);
        }
    }

    private static StepOutcome Run(BootStep step)
    {
        switch (step)
        {
            case Mount m:
                Directory.CreateDirectory(m.Target);
                Libc.Check(Libc.mount(m.Source, m.Target, m.FsType, Flags(m.Options), m.Data), $"mount {m.FsType} on {m.Target}");
                break;
            case MoveMount m:
                Directory.CreateDirectory(m.Target);
                Libc.Check(Libc.mount(m.Source, m.Target, null, Libc.MS_MOVE, null), $"move {m.Source} to {m.Target}");
                break;
            case BindFolder b:
                Directory.CreateDirectory(b.Target);
                Libc.Check(Libc.mount(b.Source, b.Target, null, Libc.MS_BIND, null), $"bind {b.Source} to {b.Target}");
                break;
            case ChangeOwner o:
                Libc.Check(Libc.lchown(o.Path, o.Uid, o.Gid), $"chown {o.Path}");
                break;
            case MakeDirectory d:
                Directory.CreateDirectory(d.Path);
                Libc.Check(Libc.chmod(d.Path, (uint)d.Mode), $"chmod {d.Path}");
                break;
            case CreateDirectory d:
                NoFollow.CreateDirectory(d.Path, d.Ownership);
                break;
            case CreateEmptyFile f:
                NoFollow.WriteNewFile(f.Path, f.Ownership, "");
                break;
            case CopyFromImage c:
                // cp -a copies links as links (-P) and creates the missing target itself.
                Tool.Run("/usr/bin/cp", "-a", "-T", "--", c.Source, c.Target);
                break;
            case SetOwnership s:
                NoFollow.SetOwnership(s.Path, s.Uid, s.Gid, s.Mode);
                break;
            case BindMount b:
                Libc.Check(Libc.mount(b.Source, b.Target, null, Libc.MS_BIND, null), $"bind {b.Source} on {b.Target}");
                break;
            case WriteNewFile w:
                NoFollow.WriteNewFile(w.Path, w.Ownership, w.Content);
                break;
            case ReadEntry r:
                return NoFollow.Read(r.Path);
            case RemoveEntry r:
                NoFollow.Remove(r.Path, r.Within);
                break;
            default:
                throw new InvalidOperationException($"unknown step {step}");
        }
        return StepOutcome.Done;
    }

    private static ulong Flags(MountOptions options) =>
        (options.HasFlag(MountOptions.ReadOnly) ? Libc.MS_RDONLY : 0)
        | (options.HasFlag(MountOptions.NoSuid) ? Libc.MS_NOSUID : 0)
        | (options.HasFlag(MountOptions.NoDev) ? Libc.MS_NODEV : 0)
        | (options.HasFlag(MountOptions.NoExec) ? Libc.MS_NOEXEC : 0);
}
