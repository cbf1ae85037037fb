using Lethe.Guest.Native;
using Lethe.Protocol.Boot;

namespace Lethe.Guest.Boot;

/// <summary>Carries out the steps of a <see cref="MountPlan"/>.</summary>
internal static class StepRunner
{
    public static void Run(IEnumerable<BootStep> steps)
    {
        foreach (var step in steps)
            Run(step);
    }

    private static void Run(BootStep step)
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
                Libc.Check(Libc.chown(o.Path, o.Uid, o.Gid), $"chown {o.Path}");
                break;
            case MakeDirectory d:
                Directory.CreateDirectory(d.Path);
                Libc.Check(Libc.chmod(d.Path, (uint)d.Mode), $"chmod {d.Path}");
                break;
            default:
                throw new InvalidOperationException($"unknown boot step {step}");
        }
    }

    private static ulong Flags(MountOptions options) =>
        (options.HasFlag(MountOptions.ReadOnly) ? Libc.MS_RDONLY : 0)
        | (options.HasFlag(MountOptions.NoSuid) ? Libc.MS_NOSUID : 0)
        | (options.HasFlag(MountOptions.NoDev) ? Libc.MS_NODEV : 0)
        | (options.HasFlag(MountOptions.NoExec) ? Libc.MS_NOEXEC : 0);
}
