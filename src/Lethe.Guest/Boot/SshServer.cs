using Lethe.Guest.Native;
using Lethe.Protocol;
using Lethe.Protocol.Boot;

namespace Lethe.Guest.Boot;

/// <summary>
/// sshd for a workstation: the drop-in config, root's authorized keys file, the privilege separation folder,
/// and /run/user/UID for forwarded sockets. Prepared before any user process exists, in a fresh root. init:
/// fast starts sshd here; init: systemd leaves it to Debian's ssh.service, which reads the same files.
/// </summary>
internal static class SshServer
{
    private const string Sshd = "/usr/sbin/sshd";
    private const int PublicMode = 0b110_100_100;
    private const int PrivateFolderMode = 0b111_000_000;

    public static bool Wanted(GuestSeed seed) => seed.Ssh is not null && File.Exists(Sshd);

    public static void Prepare(GuestSeed seed)
    {
        if (!Wanted(seed) || HostKeys.PublicKey() is null)
        {
            // Nothing for Debian's ssh.service to serve (no keys): keep systemd from starting it.
            if (seed.Init == InitMode.Systemd && File.Exists(Sshd))
                MaskService("ssh.service");
            return;
        }
        var ssh = seed.Ssh!;
        Directory.CreateDirectory(Path.GetDirectoryName(SshdConfig.DropInPath)!);
        WriteRootFile(SshdConfig.DropInPath, SshdConfig.DropIn(seed.User.Name, ssh.AcceptEnv, ssh.ListenOnNetwork));
        WriteRootFile(SshdConfig.AuthorizedKeysPath, SshdConfig.AuthorizedKeys(ssh.AuthorizedKeys));
        MakeFolder(SshdConfig.PrivilegeSeparationFolder, PublicMode | 0b001_001_001, 0, 0);
        MakeUserRuntimeFolder(seed.User);
    }

    /// <summary>init: fast: sshd daemonizes once it listens; the power-off kills it with everything else.
    /// A failure is a warning, not a failed boot: exec and shell still work without it.</summary>
    public static IEnumerable<string> Start(GuestSeed seed)
    {
        if (!Wanted(seed) || HostKeys.PublicKey() is null)
            return [];
        try
        {
            Tool.Run(Sshd);
            return [];
        }
        catch (IOException e)
        {
            return [$"sshd did not start: {e.Message}"];
        }
    }

    /// <summary>/run/user/UID and its gnupg folder, 0700 and the user's, for a forwarded gpg-agent socket.
    /// Made only when missing (the agents' code may make it too); /run is a fresh tmpfs and no user process runs yet.</summary>
    public static void MakeUserRuntimeFolder(GuestUser user)
    {
        MakeFolder("/run/user", PublicMode | 0b001_001_001, 0, 0);
        var folder = $"/run/user/{user.Uid}";
        MakeFolder(folder, PrivateFolderMode, user.Uid, user.Gid);
        MakeFolder(folder + "/gnupg", PrivateFolderMode, user.Uid, user.Gid);
    }

    private static void MakeFolder(string path, int mode, int uid, int gid)
    {
        if (Libc.mkdir(path, (uint)mode) != 0)
        {
            if (Directory.Exists(path) && !File.GetAttributes(path).HasFlag(FileAttributes.ReparsePoint))
                return;
            throw Libc.Error("mkdir " + path);
        }
        Libc.Check(Libc.lchown(path, uid, gid), "chown " + path);
        Libc.Check(Libc.chmod(path, (uint)mode), "chmod " + path);
    }

    private static void WriteRootFile(string path, string text)
    {
        File.Delete(path);
        File.WriteAllText(path, text);
        Libc.Check(Libc.lchown(path, 0, 0), "chown " + path);
        Libc.Check(Libc.chmod(path, PublicMode), "chmod " + path);
    }

    private static void MaskService(string unit)
    {
        var path = "/etc/systemd/system/" + unit;
        if (!File.Exists(path) && !Directory.Exists(path))
            File.CreateSymbolicLink(path, "/dev/null");
    }
}
