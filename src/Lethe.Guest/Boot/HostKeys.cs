using Lethe.Guest.Native;
using Lethe.Protocol;
using Lethe.Protocol.Boot;

namespace Lethe.Guest.Boot;

/// <summary>Carries out the <see cref="HostKeyPlan"/>: one ed25519 host key in /etc/ssh, restored from or saved to the persist disk.</summary>
internal static class HostKeys
{
    private const string Keygen = "/usr/bin/ssh-keygen";
    private const string EtcSsh = "/etc/ssh";
    private const int FolderMode = 0b111_101_101;
    private static readonly string Saved = SeedLayout.PersistIdentity + "/ssh";

    public static void Apply(bool keep, bool serverWanted)
    {
        var savedNames = keep && Directory.Exists(Saved) ? Directory.GetFiles(Saved).Select(Path.GetFileName).OfType<string>().ToList() : [];
        switch (HostKeyPlan.Decide(keep, savedNames, File.Exists(Keygen), serverWanted))
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

    /// <summary>The public half of the key in /etc/ssh, or null when there is none.</summary>
    public static string? PublicKey()
    {
        var path = SshdConfig.HostKeyPath + ".pub";
        return File.Exists(path) ? File.ReadAllText(path).Trim() : null;
    }

    /// <summary>Only ed25519: ssh-keygen -A would add an RSA key, about 10 s under TCG.</summary>
    private static void Generate()
    {
        EnsureFolder(EtcSsh, FolderMode);
        // The image has none (removed at build); a stale one would make ssh-keygen ask before overwriting.
        File.Delete(SshdConfig.HostKeyPath);
        File.Delete(SshdConfig.HostKeyPath + ".pub");
        Tool.Run(Keygen, "-q", "-t", "ed25519", "-N", "", "-C", "", "-f", SshdConfig.HostKeyPath);
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
