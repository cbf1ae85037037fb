using Lethe.Guest.Native;
using Lethe.Protocol.Boot;

namespace Lethe.Guest.Boot;

/// <summary>Carries out the steps of a <see cref="PersistPlan"/>, in the new root.</summary>
internal static class PersistRunner
{
    public static void Run(IEnumerable<PersistStep> steps)
    {
        foreach (var step in steps)
            Run(step);
    }

    private static void Run(PersistStep step)
    {
        switch (step)
        {
            case CreateDirectory d:
                Libc.Check(Libc.mkdir(d.Path, 0b111_000_000), "mkdir " + d.Path);
                Own(d.Path, d.Ownership);
                break;
            case CreateEmptyFile f:
                new FileStream(f.Path, FileMode.CreateNew, FileAccess.Write).Dispose();
                Own(f.Path, f.Ownership);
                break;
            case CopyFromImage c:
                Tool.Run("/usr/bin/cp", "-a", "-T", "--", c.Source, c.Target);
                break;
            case SetOwnership s:
                if (s.Uid is not null || s.Gid is not null)
                    Libc.Check(Libc.lchown(s.Path, s.Uid ?? -1, s.Gid ?? -1), "chown " + s.Path);
                if (s.Mode is { } mode)
                    Libc.Check(Libc.chmod(s.Path, (uint)mode), "chmod " + s.Path);
                break;
            case BindMount b:
                Libc.Check(Libc.mount(b.Source, b.Target, null, Libc.MS_BIND, null), $"bind {b.Source} on {b.Target}");
                break;
            default:
                throw new InvalidOperationException($"unknown persist step {step}");
        }
    }

    /// <summary>Owner first: chown clears the set-id bits that chmod then sets.</summary>
    private static void Own(string path, Ownership ownership)
    {
        Libc.Check(Libc.lchown(path, ownership.Uid, ownership.Gid), "chown " + path);
        Libc.Check(Libc.chmod(path, (uint)ownership.Mode), "chmod " + path);
    }
}
