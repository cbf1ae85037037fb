using Lethe.Guest.Native;
using Lethe.Protocol;
using Lethe.Protocol.Boot;

namespace Lethe.Guest.Boot;

/// <summary>Carries out the <see cref="HostKeyPlan"/>: SSH host keys in /etc/ssh, restored from or saved to the persist disk.</summary>
internal static class HostKeys
{
    private const string Keygen = "/usr/bin/ssh-keygen";
    private const string Server = "/usr/sbin/sshd";
    private const string EtcSsh = "/etc/ssh";
    private const int FolderMode = 0b111_101_101;
    private static readonly string Saved = SeedLayout.PersistIdentity + "/ssh";

    public static void Apply(bool keep)
    {
        var savedNames = keep && Directory.Exists(Saved) ? Directory.GetFiles(Saved).Select(Path.GetFileName).OfType<string>().ToList() : [];
        switch (HostKeyPlan.Decide(keep, savedNames, File.Exists(Keygen), File.Exists(Server)))
        {
            case HostKeyAction.Restore:
                CopyKeys(Saved, EtcSsh, FolderMode);
                break;
            case HostKeyAction.GenerateAndSave:
                Generate();
                Save();
                break;
            case HostKeyAction.Generate:
                Generate();
                break;
        }
    }

    private static void Generate()
    {
        EnsureFolder(EtcSsh, FolderMode);
        Tool.Run(Keygen, "-A");
    }

    /// <summary>Into a new folder first, then renamed: a power cut never leaves half a set of keys.</summary>
    private static void Save()
    {
        var fresh = Saved + ".new";
        if (Directory.Exists(fresh))
            Directory.Delete(fresh, recursive: true);
        CopyKeys(EtcSsh, fresh, 0b111_000_000);
        if (Directory.Exists(Saved))
            Directory.Delete(Saved, recursive: true);
        Directory.Move(fresh, Saved);
        Libc.sync();
    }

    private static void CopyKeys(string from, string to, int folderMode)
    {
        EnsureFolder(to, folderMode);
        foreach (var file in Directory.GetFiles(from))
        {
            var name = Path.GetFileName(file);
            if (HostKeyPlan.Mode(name) is not { } mode)
                continue;
            var target = Path.Combine(to, name);
            File.Copy(file, target, overwrite: true);
            Libc.Check(Libc.lchown(target, 0, 0), "chown " + target);
            Libc.Check(Libc.chmod(target, (uint)mode), "chmod " + target);
        }
    }

    private static void EnsureFolder(string path, int mode)
    {
        if (Directory.Exists(path))
            return;
        Libc.Check(Libc.mkdir(path, (uint)mode), "mkdir " + path);
        Libc.Check(Libc.chmod(path, (uint)mode), "chmod " + path);
    }
}
