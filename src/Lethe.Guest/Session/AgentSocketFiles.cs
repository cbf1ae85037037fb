using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Lethe.Guest.Session;

/// <summary>
/// Where a session's agent sockets live, made by root without trusting anything the user owns. A socket is
/// always bound and given to the user inside a fresh root-only folder under /run/lethe-agents (which only
/// root can write), so no link or swapped name can redirect the bind or the chown. For ssh that folder then
/// becomes the user's (0700) and SSH_AUTH_SOCK names the socket in it; for gpg the socket is renamed into
/// /run/user/UID/gnupg through an open descriptor of that folder (O_NOFOLLOW), where gpg looks for it.
/// </summary>
internal static unsafe partial class AgentSocketFiles
{
    /// <summary>Not below /run/lethe, which stays root-only (0700): it holds the overlay's upper views.</summary>
    public const string Root = "/run/lethe-agents";
    public const string SocketName = "agent.sock";
    public const string GpgSocketName = "S.gpg-agent";
    private const int AT_FDCWD = -100, AT_SYMLINK_NOFOLLOW = 0x100;
    private const int O_RDONLY = 0, O_DIRECTORY = 0x10000, O_NOFOLLOW = 0x20000, O_CLOEXEC = 0x80000;
    private const int EEXIST = 17;
    private const uint S_IFMT = 0xF000, S_IFDIR = 0x4000, S_IFSOCK = 0xC000;
    private const int StatSize = 144, StatInodeOffset = 8, StatModeOffset = 24, StatUidOffset = 28;

    /// <summary>A fresh root-only folder below <see cref="Root"/>, for one socket.</summary>
    public static string NewPrivateFolder(string label)
    {
        EnsureRootFolder(Root, 0b111_001_001);
        var folder = $"{Root}/{label}-{Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(8))}";
        Check(mkdir(folder, 0b111_000_000), "mkdir " + folder);
        return folder;
    }

    /// <summary>A listening socket at <paramref name="path"/> (in a root-only folder), owned by the user.</summary>
    public static Socket Listen(string path, int uid, int gid)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            socket.Bind(new UnixDomainSocketEndPoint(path));
            Check(lchown(path, uid, gid), "chown " + path);
            Check(chmod(path, 0b110_000_000), "chmod " + path);
            socket.Listen(StreamBacklog);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private const int StreamBacklog = 16;

    /// <summary>Gives the (root-only, root-made) folder to the user, mode 0700.</summary>
    public static void GiveFolder(string folder, int uid, int gid) => Check(lchown(folder, uid, gid), "chown " + folder);

    /// <summary>
    /// Moves the socket at <paramref name="socketPath"/> to /run/user/UID/gnupg/S.gpg-agent, making the folders
    /// (0700, the user's) where missing. Returns the gnupg folder, held open, and the socket's inode, so that the
    /// end of the session removes only its own socket.
    /// </summary>
    public static (int Folder, ulong Inode) PlaceGpgSocket(string socketPath, int uid, int gid)
    {
        EnsureRootFolder("/run/user", 0b111_101_101);
        var runtime = $"/run/user/{uid}";
        if (mkdir(runtime, 0b111_000_000) == 0)
            Check(lchown(runtime, uid, gid), "chown " + runtime);
        else if (Marshal.GetLastPInvokeError() != EEXIST)
            throw Error("mkdir " + runtime);
        var runtimeFd = OpenFolder(AT_FDCWD, runtime, uid);
        try
        {
            if (mkdirat(runtimeFd, "gnupg", 0b111_000_000) != 0 && Marshal.GetLastPInvokeError() != EEXIST)
                throw Error($"mkdir {runtime}/gnupg");
            var gnupg = OpenFolder(runtimeFd, "gnupg", uid, root: true);
            try
            {
                var stat = stackalloc byte[StatSize];
                Check(fstat(gnupg, stat), $"stat {runtime}/gnupg");
                if (*(int*)(stat + StatUidOffset) == 0)
                    Check(fchown(gnupg, uid, gid), $"chown {runtime}/gnupg");
                Check(renameat(AT_FDCWD, socketPath, gnupg, GpgSocketName), $"rename to {runtime}/gnupg/{GpgSocketName}");
                Check(fstatat(gnupg, GpgSocketName, stat, AT_SYMLINK_NOFOLLOW), $"stat {runtime}/gnupg/{GpgSocketName}");
                return (gnupg, *(ulong*)(stat + StatInodeOffset));
            }
            catch
            {
                close(gnupg);
                throw;
            }
        }
        finally
        {
            close(runtimeFd);
        }
    }

    /// <summary>Removes the gpg socket if it is still the one this session placed, and closes the folder.</summary>
    public static void RemoveGpgSocket(int folder, ulong inode)
    {
        var stat = stackalloc byte[StatSize];
        if (fstatat(folder, GpgSocketName, stat, AT_SYMLINK_NOFOLLOW) == 0 && *(ulong*)(stat + StatInodeOffset) == inode
            && (*(uint*)(stat + StatModeOffset) & S_IFMT) == S_IFSOCK)
            unlinkat(folder, GpgSocketName, 0);
        close(folder);
    }

    /// <summary>Removes a session's folder (and whatever its user left in it; links are removed, never followed).</summary>
    public static void RemoveFolder(string folder)
    {
        try
        {
            Directory.Delete(folder, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }
    }

    /// <summary>A folder owned by root that only root can write: made with <paramref name="mode"/>, or checked.</summary>
    private static void EnsureRootFolder(string path, uint mode)
    {
        if (mkdir(path, mode) == 0)
        {
            Check(chmod(path, mode), "chmod " + path);
            return;
        }
        if (Marshal.GetLastPInvokeError() != EEXIST)
            throw Error("mkdir " + path);
        var stat = stackalloc byte[StatSize];
        Check(lstat(path, stat), "stat " + path);
        var fileMode = *(uint*)(stat + StatModeOffset);
        if ((fileMode & S_IFMT) != S_IFDIR || *(int*)(stat + StatUidOffset) != 0 || (fileMode & 0b000_010_010) != 0)
            throw new IOException($"{path} is not a folder only root can write");
        // The user must be able to pass through to the socket.
        if ((fileMode & 0b000_000_001) == 0)
            Check(chmod(path, (fileMode & 0xFFF) | 0b000_001_001), "chmod " + path);
    }

    /// <summary>Opens a folder without following a link; it must belong to <paramref name="uid"/> (or root, when allowed).</summary>
    private static int OpenFolder(int at, string name, int uid, bool root = false)
    {
        var fd = openat(at, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0)
            throw Error("open " + name);
        var stat = stackalloc byte[StatSize];
        var owner = fstat(fd, stat) == 0 ? *(int*)(stat + StatUidOffset) : -1;
        if (owner != uid && !(root && owner == 0))
        {
            close(fd);
            throw new IOException($"{name} does not belong to uid {uid}");
        }
        return fd;
    }

    private static void Check(int result, string what)
    {
        if (result != 0)
            throw Error(what);
    }

    private static IOException Error(string what)
    {
        return new IOException($"{what}: {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}");
    }

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int mkdir(string path, uint mode);

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int mkdirat(int folder, string name, uint mode);

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int chmod(string path, uint mode);

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int lchown(string path, int uid, int gid);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int fchown(int fd, int uid, int gid);

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int lstat(string path, byte* stat);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int fstat(int fd, byte* stat);

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int fstatat(int folder, string name, byte* stat, int flags);

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int openat(int folder, string name, int flags);

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int renameat(int fromFolder, string from, int toFolder, string to);

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int unlinkat(int folder, string name, int flags);

    [LibraryImport("libc")]
    private static partial int close(int fd);
}
