using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Lethe.Core;

/// <summary>What lstat says about a path: the entry itself, never what a link points to.</summary>
/// <param name="AllocatedBytes">What the entry takes on disk (a sparse file: far less than its size).</param>
public sealed record FileFacts(bool IsDirectory, bool IsLink, bool IsRegularFile, int Uid, int Gid, UnixFileMode Mode, long Size, long AllocatedBytes = 0);

/// <summary>
/// The few file system calls .NET does not offer without following links: lstat with the owner,
/// an exclusive mkdir, and opening a file with O_NOFOLLOW so that its owner and mode can be changed
/// through the handle rather than by path.
/// </summary>
public static class PosixFiles
{
    private const int AtFdCwd = -100;
    private const int AtSymlinkNoFollow = 0x100;
    private const uint StatxBasicStats = 0x7ff;
    private const int StatxSize = 256;
    private const int Eexist = 17, Enoent = 2, Enotdir = 20;
    private const int ORdOnly = 0, ORdWr = 2, ONoFollow = 0x20000, OCloexec = 0x80000, ODirectory = 0x10000;
    private const int SIfMt = 0xF000, SIfDir = 0x4000, SIfLnk = 0xA000, SIfReg = 0x8000;

    public static int EffectiveUid => (int)geteuid();

    /// <summary>lstat (through statx, whose layout is the same on every architecture); null when nothing is there.</summary>
    public static FileFacts? LStat(string path) => StatX(path, AtSymlinkNoFollow);

    /// <summary>stat: what a link points to (only for reading owners and modes, never to act on the path).</summary>
    public static FileFacts? Stat(string path) => StatX(path, 0);

    private static FileFacts? StatX(string path, int flags)
    {
        var buffer = new byte[StatxSize];
        if (statx(AtFdCwd, path, flags, StatxBasicStats, ref buffer[0]) != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            if (errno is Enoent or Enotdir)
                return null;
            throw new IOException($"cannot inspect {path}: {Marshal.GetPInvokeErrorMessage(errno)}");
        }
        var uid = BitConverter.ToInt32(buffer, 20);
        var gid = BitConverter.ToInt32(buffer, 24);
        var mode = BitConverter.ToUInt16(buffer, 28);
        var size = BitConverter.ToInt64(buffer, 40);
        var blocks = BitConverter.ToInt64(buffer, 48);
        var type = mode & SIfMt;
        return new FileFacts(type == SIfDir, type == SIfLnk, type == SIfReg, uid, gid, (UnixFileMode)(mode & 0xFFF), size, blocks * 512);
    }

    /// <summary>mkdir(2): true when this call made the folder, false when something already was there.</summary>
    public static bool TryMakeDirectory(string path, UnixFileMode mode)
    {
        if (mkdir(path, (uint)mode) == 0)
            return true;
        var errno = Marshal.GetLastPInvokeError();
        if (errno == Eexist)
            return false;
        throw new IOException($"cannot create {path}: {Marshal.GetPInvokeErrorMessage(errno)}");
    }

    /// <summary>Opens an existing file or folder without following a link at its last component.</summary>
    public static SafeFileHandle OpenNoFollow(string path, bool write = false, bool directory = false)
    {
        var flags = (write ? ORdWr : ORdOnly) | ONoFollow | OCloexec | (directory ? ODirectory : 0);
        var fd = open(path, flags, 0);
        if (fd < 0)
            throw new IOException($"cannot open {path} without following links: {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}");
        return new SafeFileHandle(fd, ownsHandle: true);
    }

    /// <summary>fchown(2): changes the owner of what the handle holds, never of what a path now names.</summary>
    public static void ChangeOwner(SafeFileHandle handle, int uid, int gid)
    {
        if (fchown(handle, uid, gid) != 0)
            throw new IOException($"cannot change the owner: {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}");
    }

    /// <summary>Changes a path's mode through an O_NOFOLLOW handle: a link there is refused, never followed.</summary>
    public static void SetModeNoFollow(string path, UnixFileMode mode, bool directory = false)
    {
        using var handle = OpenNoFollow(path, directory: directory);
        File.SetUnixFileMode(handle, mode);
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int statx(int dirfd, [MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags, uint mask, ref byte buffer);

    [DllImport("libc", SetLastError = true)]
    private static extern int mkdir([MarshalAs(UnmanagedType.LPUTF8Str)] string path, uint mode);

    [DllImport("libc", SetLastError = true)]
    private static extern int open([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags, uint mode);

    [DllImport("libc", SetLastError = true)]
    private static extern int fchown(SafeFileHandle fd, int uid, int gid);

    [DllImport("libc")]
    private static extern uint geteuid();
}
