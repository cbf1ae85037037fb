using System.Runtime.InteropServices;

namespace Lethe.Guest.Session;

/// <summary>
/// Sets the size of an interactive session's terminal. The session runs under util-linux script, which
/// holds the pseudo-terminal; the terminal is the controlling one of script's child (the session
/// leader). TIOCSWINSZ on it makes the kernel signal SIGWINCH to the terminal's foreground process group.
/// </summary>
internal static unsafe partial class SessionTerminal
{
    private const ulong TIOCSWINSZ = 0x5414;
    private const int O_RDWR = 2, O_NOCTTY = 0x100, O_NONBLOCK = 0x800, O_NOFOLLOW = 0x20000, O_CLOEXEC = 0x80000;
    private const int StatSize = 144, StatRdevOffset = 40, StatModeOffset = 24;
    private const uint S_IFMT = 0xF000, S_IFCHR = 0x2000;

    /// <summary>Returns false when the session has no terminal (yet, or any more).</summary>
    public static bool Resize(int scriptPid, int rows, int columns)
    {
        if (rows is <= 0 or > ushort.MaxValue || columns is <= 0 or > ushort.MaxValue)
            return false;
        foreach (var child in ChildrenOf(scriptPid))
        {
            if (ControllingTerminal(child) is not { } device || OpenTerminal(device) is not { } fd)
                continue;
            try
            {
                var size = new WinSize { Rows = (ushort)rows, Columns = (ushort)columns };
                return ioctl(fd, TIOCSWINSZ, &size) == 0;
            }
            finally
            {
                close(fd);
            }
        }
        return false;
    }

    private static IEnumerable<int> ChildrenOf(int pid)
    {
        foreach (var entry in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(entry), out var candidate) || Stat(candidate) is not { } fields)
                continue;
            if (fields.Length > 1 && int.TryParse(fields[1], out var parent) && parent == pid)
                yield return candidate;
        }
    }

    /// <summary>The device number of the process's controlling terminal, or null without one.</summary>
    private static long? ControllingTerminal(int pid) =>
        Stat(pid) is { Length: > 4 } fields && long.TryParse(fields[4], out var device) && device != 0 ? device : null;

    /// <summary>The fields of /proc/PID/stat after the command name (which may hold spaces): state, ppid, pgrp, session, tty_nr, ...</summary>
    private static string[]? Stat(int pid)
    {
        try
        {
            var text = File.ReadAllText($"/proc/{pid}/stat");
            var end = text.LastIndexOf(')');
            return end < 0 ? null : text[(end + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        }
        catch (IOException)
        {
            return null;
        }
    }

    /// <summary>The /dev/pts entry that is the given device; devpts is the kernel's, so no one can plant a name there.</summary>
    private static int? OpenTerminal(long device)
    {
        var stat = stackalloc byte[StatSize];
        foreach (var path in Directory.EnumerateFiles("/dev/pts"))
        {
            if (!int.TryParse(Path.GetFileName(path), out _) || lstat(path, stat) != 0 || !IsDevice(stat, device))
                continue;
            var fd = open(path, O_RDWR | O_NOCTTY | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC);
            if (fd < 0)
                return null;
            if (fstat(fd, stat) == 0 && IsDevice(stat, device))
                return fd;
            close(fd);
            return null;
        }
        return null;
    }

    private static bool IsDevice(byte* stat, long device) =>
        (*(uint*)(stat + StatModeOffset) & S_IFMT) == S_IFCHR && *(long*)(stat + StatRdevOffset) == device;

    [StructLayout(LayoutKind.Sequential)]
    private struct WinSize
    {
        public ushort Rows;
        public ushort Columns;
        public ushort XPixels;
        public ushort YPixels;
    }

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int open(string path, int flags);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int fstat(int fd, byte* stat);

    /// <summary>glibc 2.33+ exports lstat and fstat themselves; <c>stat</c> is a struct stat (144 bytes on x86-64).</summary>
    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int lstat(string path, byte* stat);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int ioctl(int fd, ulong request, void* argument);

    [LibraryImport("libc")]
    private static partial int close(int fd);
}
