using System.Runtime.InteropServices;
using System.Text;
using Lethe.Protocol.Boot;

namespace Lethe.Guest.Boot;

/// <summary>
/// File operations for root in folders a user may own: every path is opened from "/" one part at a
/// time with O_NOFOLLOW|O_DIRECTORY, so a link anywhere in it (planted before, or swapped in between
/// two checks) stops the operation instead of redirecting it. Owner and mode are set through the file
/// descriptor of what was opened, never by path.
/// </summary>
internal static unsafe partial class NoFollow
{
    private const int O_RDONLY = 0, O_WRONLY = 1, O_CREAT = 0x40, O_EXCL = 0x80, O_NOCTTY = 0x100, O_NONBLOCK = 0x800,
        O_DIRECTORY = 0x10000, O_NOFOLLOW = 0x20000, O_CLOEXEC = 0x80000;
    private const int AT_SYMLINK_NOFOLLOW = 0x100, AT_REMOVEDIR = 0x200, AT_EMPTY_PATH = 0x1000;
    private const int ENOENT = 2, ENOTDIR = 20, ELOOP = 40;
    private const uint S_IFMT = 0xF000, S_IFDIR = 0x4000, S_IFREG = 0x8000, S_IFLNK = 0xA000;
    // struct stat on x86-64: st_dev at 0, st_ino at 8, st_mode at 24, st_uid at 28, st_gid at 32; 144 bytes.
    private const int StatSize = 144;
    private const int ContentCap = 64 * 1024;

    /// <summary>An opened folder and one name in it.</summary>
    private readonly record struct Leaf(SafeFd Folder, string Name) : IDisposable
    {
        public void Dispose() => Folder.Dispose();
    }

    private sealed class SafeFd(int fd) : IDisposable
    {
        public int Fd { get; } = fd;
        public void Dispose() => close(Fd);
    }

    private readonly record struct Stat(ulong Device, ulong Inode, uint Mode, int Uid, int Gid)
    {
        public uint Type => Mode & S_IFMT;
        public PathFacts Facts => new(Type switch
        {
            S_IFDIR => PathKind.Directory,
            S_IFREG => PathKind.File,
            S_IFLNK => PathKind.Symlink,
            _ => PathKind.Other,
        }, Uid, Gid, (int)(Mode & 0xFFF));
    }

    public static void CreateDirectory(string path, Ownership ownership)
    {
        using var leaf = OpenLeaf(path);
        Check(mkdirat(leaf.Folder.Fd, leaf.Name, 0b111_000_000), "mkdir " + path);
        using var created = Open(leaf.Folder, leaf.Name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW, path);
        Own(created, ownership, path);
    }

    public static void WriteNewFile(string path, Ownership ownership, string content)
    {
        using var leaf = OpenLeaf(path);
        using var file = Open(leaf.Folder, leaf.Name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_NOCTTY, path, 0b110_000_000);
        var bytes = Encoding.UTF8.GetBytes(content);
        fixed (byte* p = bytes)
        {
            for (var done = 0; done < bytes.Length;)
            {
                var wrote = write(file.Fd, p + done, (nuint)(bytes.Length - done));
                if (wrote < 0)
                    throw Error("write " + path);
                done += (int)wrote;
            }
        }
        Own(file, ownership, path);
        Check(fsync(file.Fd), "fsync " + path);
    }

    /// <summary>Sets owner and/or mode of an existing file or folder; refuses links, devices, FIFOs and sockets.</summary>
    public static void SetOwnership(string path, int? uid, int? gid, int? mode)
    {
        using var leaf = OpenLeaf(path);
        var before = StatAt(leaf.Folder, leaf.Name, path) ?? throw new IOException($"{path}: not found");
        if (before.Type is not (S_IFREG or S_IFDIR))
            throw new IOException($"{path}: not a file or folder (a link, device, FIFO or socket); left as it is");
        using var opened = Open(leaf.Folder, leaf.Name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY, path);
        var now = FStat(opened, path);
        if (now.Device != before.Device || now.Inode != before.Inode)
            throw new IOException($"{path}: replaced while it was being opened; left as it is");
        if (uid is not null || gid is not null)
            Check(fchown(opened.Fd, uid ?? -1, gid ?? -1), "chown " + path);
        if (mode is { } m)
            Check(fchmod(opened.Fd, (uint)m), "chmod " + path);
    }

    /// <summary>What is at <paramref name="path"/> (null facts when nothing is) and a regular file's content.</summary>
    public static StepOutcome Read(string path)
    {
        if (TryOpenLeaf(path, out var missing) is not { } leaf || missing)
            return StepOutcome.Done;
        using var folder = leaf;
        var stat = StatAt(leaf.Folder, leaf.Name, path);
        if (stat is not { Type: S_IFREG } found)
            return new StepOutcome(true, Facts: stat?.Facts);
        using var file = Open(leaf.Folder, leaf.Name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY, path);
        var opened = FStat(file, path);
        if (opened.Inode != found.Inode || opened.Device != found.Device)
            throw new IOException($"{path}: replaced while it was being read");
        var buffer = new byte[ContentCap];
        var total = 0;
        fixed (byte* p = buffer)
        {
            long got;
            while (total < buffer.Length && (got = read(file.Fd, p + total, (nuint)(buffer.Length - total))) > 0)
                total += (int)got;
        }
        return new StepOutcome(true, Facts: opened.Facts, Content: Encoding.UTF8.GetString(buffer, 0, total));
    }

    /// <summary>Removes an entry strictly below <paramref name="within"/>: a folder with all it holds, links themselves.</summary>
    public static void Remove(string path, string within)
    {
        if (!GuestPaths.IsStrictlyBelow(path, within))
            throw new IOException($"{path}: not below {within}; refused");
        using var top = OpenDirectory(within);
        var device = FStat(top, within).Device;
        var parts = GuestPaths.Parts(path).Skip(GuestPaths.Parts(within).Count).ToList();
        var folder = top;
        var opened = new List<SafeFd>();
        try
        {
            foreach (var part in parts.Take(parts.Count - 1))
            {
                folder = Open(folder, part, O_RDONLY | O_DIRECTORY | O_NOFOLLOW, path);
                opened.Add(folder);
            }
            RemoveAt(folder, parts[^1], device, path);
        }
        finally
        {
            foreach (var fd in opened)
                fd.Dispose();
        }
    }

    private static void RemoveAt(SafeFd folder, string name, ulong device, string shown)
    {
        var stat = StatAt(folder, name, shown);
        if (stat is null)
            return;
        if (stat.Value.Type != S_IFDIR)
        {
            Check(unlinkat(folder.Fd, name, 0), "unlink " + shown);
            return;
        }
        if (stat.Value.Device != device)
            throw new IOException($"{shown}: on another filesystem; left as it is");
        using (var inner = Open(folder, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW, shown))
        {
            foreach (var child in Names(inner, shown))
                RemoveAt(inner, child, device, shown + "/" + child);
        }
        Check(unlinkat(folder.Fd, name, AT_REMOVEDIR), "rmdir " + shown);
    }

    private static List<string> Names(SafeFd folder, string shown)
    {
        var copy = dup(folder.Fd);
        if (copy < 0)
            throw Error("dup " + shown);
        var stream = fdopendir(copy);
        if (stream == null)
        {
            close(copy);
            throw Error("opendir " + shown);
        }
        var names = new List<string>();
        try
        {
            byte* entry;
            while ((entry = readdir64(stream)) != null)
            {
                // struct dirent64: d_name at 19.
                var name = Marshal.PtrToStringUTF8((nint)(entry + 19)) ?? "";
                if (name is not ("." or ".." or ""))
                    names.Add(name);
            }
        }
        finally
        {
            closedir(stream);
        }
        return names;
    }

    private static Leaf OpenLeaf(string path) =>
        TryOpenLeaf(path, out var missing) is { } leaf && !missing ? leaf : throw new IOException($"{path}: a parent folder is missing");

    /// <summary>Opens the parent of <paramref name="path"/>; missing is set (and null returned) when a parent does not exist.</summary>
    private static Leaf? TryOpenLeaf(string path, out bool missing)
    {
        missing = false;
        if (!GuestPaths.IsNormalAbsolute(path) || path == "/")
            throw new IOException($"{path}: not a normalised absolute path; refused");
        var parts = GuestPaths.Parts(path);
        var folder = new SafeFd(Check(open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0), "open /"));
        var walked = "";
        foreach (var part in parts.Take(parts.Count - 1))
        {
            walked += "/" + part;
            var next = openat(folder.Fd, part, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC, 0);
            var errno = Marshal.GetLastPInvokeError();
            folder.Dispose();
            if (next >= 0)
            {
                folder = new SafeFd(next);
                continue;
            }
            if (errno == ENOENT)
            {
                missing = true;
                return null;
            }
            throw errno is ELOOP or ENOTDIR
                ? new IOException($"{walked} is a symbolic link or not a folder; {path} is left alone")
                : new IOException($"open {walked}: {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno})");
        }
        return new Leaf(folder, parts[^1]);
    }

    private static SafeFd OpenDirectory(string path)
    {
        if (path == "/")
            return new SafeFd(Check(open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0), "open /"));
        using var leaf = OpenLeaf(path);
        return Open(leaf.Folder, leaf.Name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW, path);
    }

    private static SafeFd Open(SafeFd folder, string name, int flags, string shown, uint mode = 0)
    {
        var fd = openat(folder.Fd, name, flags | O_CLOEXEC, mode);
        if (fd >= 0)
            return new SafeFd(fd);
        var errno = Marshal.GetLastPInvokeError();
        throw errno is ELOOP
            ? new IOException($"{shown} is a symbolic link; left alone")
            : new IOException($"open {shown}: {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno})");
    }

    private static Stat? StatAt(SafeFd folder, string name, string shown)
    {
        var buffer = stackalloc byte[StatSize];
        if (fstatat(folder.Fd, name, buffer, AT_SYMLINK_NOFOLLOW) < 0)
            return Marshal.GetLastPInvokeError() == ENOENT ? null : throw Error("lstat " + shown);
        return Decode(buffer);
    }

    private static Stat FStat(SafeFd fd, string shown)
    {
        var buffer = stackalloc byte[StatSize];
        if (fstatat(fd.Fd, "", buffer, AT_EMPTY_PATH) < 0)
            throw Error("fstat " + shown);
        return Decode(buffer);
    }

    private static Stat Decode(byte* s) => new(*(ulong*)s, *(ulong*)(s + 8), *(uint*)(s + 24), *(int*)(s + 28), *(int*)(s + 32));

    /// <summary>Owner first: chown clears the set-id bits that chmod then sets.</summary>
    private static void Own(SafeFd fd, Ownership ownership, string shown)
    {
        Check(fchown(fd.Fd, ownership.Uid, ownership.Gid), "chown " + shown);
        Check(fchmod(fd.Fd, (uint)ownership.Mode), "chmod " + shown);
    }

    private static int Check(int result, string what) => result < 0 ? throw Error(what) : result;

    private static IOException Error(string what)
    {
        var errno = Marshal.GetLastPInvokeError();
        return new IOException($"{what}: {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno})");
    }

    private const string Lib = "libc";

    [LibraryImport(Lib, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int open(string path, int flags, uint mode);

    [LibraryImport(Lib, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int openat(int folder, string name, int flags, uint mode);

    [LibraryImport(Lib, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int mkdirat(int folder, string name, uint mode);

    [LibraryImport(Lib, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int unlinkat(int folder, string name, int flags);

    /// <summary>glibc 2.33+ exports fstatat itself.</summary>
    [LibraryImport(Lib, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int fstatat(int folder, string name, byte* stat, int flags);

    [LibraryImport(Lib, SetLastError = true)]
    private static partial int fchown(int fd, int uid, int gid);

    [LibraryImport(Lib, SetLastError = true)]
    private static partial int fchmod(int fd, uint mode);

    [LibraryImport(Lib, SetLastError = true)]
    private static partial int fsync(int fd);

    [LibraryImport(Lib, SetLastError = true)]
    private static partial nint write(int fd, byte* data, nuint count);

    [LibraryImport(Lib, SetLastError = true)]
    private static partial nint read(int fd, byte* data, nuint count);

    [LibraryImport(Lib, SetLastError = true)]
    private static partial int dup(int fd);

    [LibraryImport(Lib, SetLastError = true)]
    private static partial void* fdopendir(int fd);

    [LibraryImport(Lib, SetLastError = true)]
    private static partial byte* readdir64(void* stream);

    [LibraryImport(Lib)]
    private static partial int closedir(void* stream);

    [LibraryImport(Lib)]
    private static partial int close(int fd);
}
