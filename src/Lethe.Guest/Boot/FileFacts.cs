using System.Runtime.InteropServices;
using Lethe.Guest.Native;
using Lethe.Protocol.Boot;

namespace Lethe.Guest.Boot;

/// <summary>lstat(2) as <see cref="PathFacts"/>: what the persist plan is decided from.</summary>
internal static unsafe class FileFacts
{
    private const int ENOENT = 2, ENOTDIR = 20;
    private const uint S_IFMT = 0xF000, S_IFDIR = 0x4000, S_IFREG = 0x8000, S_IFLNK = 0xA000;
    // struct stat on x86-64: st_mode at 24, st_uid at 28, st_gid at 32; 144 bytes in all.
    private const int StatSize = 144, ModeAt = 24, UidAt = 28, GidAt = 32;

    /// <summary>Null when nothing is at <paramref name="path"/>.</summary>
    public static PathFacts? Lstat(string path)
    {
        var stat = stackalloc byte[StatSize];
        if (Libc.lstat(path, stat) < 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            if (errno is ENOENT or ENOTDIR)
                return null;
            throw Libc.Error("lstat " + path);
        }
        var mode = *(uint*)(stat + ModeAt);
        var kind = (mode & S_IFMT) switch
        {
            S_IFDIR => PathKind.Directory,
            S_IFREG => PathKind.File,
            S_IFLNK => PathKind.Symlink,
            _ => PathKind.Other,
        };
        return new PathFacts(kind, *(int*)(stat + UidAt), *(int*)(stat + GidAt), (int)(mode & 0xFFF));
    }
}
