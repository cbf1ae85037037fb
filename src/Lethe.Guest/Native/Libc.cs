using System.Runtime.InteropServices;

namespace Lethe.Guest.Native;

/// <summary>The few system calls the init needs that .NET does not wrap.</summary>
internal static unsafe partial class Libc
{
    private const string Lib = "libc";

    public const ulong MS_RDONLY = 1, MS_NOSUID = 2, MS_NODEV = 4, MS_NOEXEC = 8, MS_REMOUNT = 32, MS_BIND = 4096, MS_MOVE = 8192;
    public const int RB_POWER_OFF = 0x4321fedc;
    public const int CLOCK_BOOTTIME = 7;
    public const int SIGKILL = 9, SIGTERM = 15;
    private const long SYS_finit_module = 313;

    [LibraryImport(Lib, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int mount(string source, string target, string? fstype, ulong flags, string? data);

    [LibraryImport(Lib, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int chroot(string path);

    [LibraryImport(Lib, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int chdir(string path);

    [LibraryImport(Lib, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int mkdir(string path, uint mode);

    [LibraryImport(Lib, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int chmod(string path, uint mode);

    [LibraryImport(Lib, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int chown(string path, int uid, int gid);

    [LibraryImport(Lib, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int lchown(string path, int uid, int gid);

    /// <summary>glibc 2.33+ exports lstat itself; <paramref name="stat"/> is a struct stat (144 bytes on x86-64).</summary>
    [LibraryImport(Lib, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int lstat(string path, byte* stat);

    [LibraryImport(Lib, SetLastError = true)]
    public static partial int reboot(int command);

    [LibraryImport(Lib)]
    public static partial void sync();

    [LibraryImport(Lib)]
    public static partial int getpid();

    [LibraryImport(Lib, SetLastError = true)]
    public static partial int kill(int pid, int signal);

    [LibraryImport(Lib, SetLastError = true)]
    public static partial int sethostname(byte* name, nuint length);

    [LibraryImport(Lib, SetLastError = true)]
    public static partial int execv(byte* path, byte** argv);

    [LibraryImport(Lib, SetLastError = true)]
    private static partial long syscall(long number, long a1, long a2, long a3);

    [LibraryImport(Lib, SetLastError = true)]
    public static partial int socket(int domain, int type, int protocol);

    [LibraryImport(Lib, SetLastError = true)]
    public static partial int ioctl(int fd, ulong request, void* argument);

    [LibraryImport(Lib, SetLastError = true)]
    public static partial int close(int fd);

    [LibraryImport(Lib)]
    private static partial int clock_gettime(int clock, Timespec* time);

    [StructLayout(LayoutKind.Sequential)]
    private struct Timespec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    public static long BootTimeMs()
    {
        Timespec time;
        clock_gettime(CLOCK_BOOTTIME, &time);
        return time.Seconds * 1000 + time.Nanoseconds / 1_000_000;
    }

    public static int FinitModule(int fd, string parameters)
    {
        var bytes = System.Text.Encoding.UTF8.GetBytes(parameters + "\0");
        fixed (byte* p = bytes)
            return (int)syscall(SYS_finit_module, fd, (long)p, 0);
    }

    public static void SetHostname(string name)
    {
        var bytes = System.Text.Encoding.UTF8.GetBytes(name);
        fixed (byte* p = bytes)
            Check(sethostname(p, (nuint)bytes.Length), "sethostname");
    }

    /// <summary>Replaces this process (PID 1) with another program; returns only on failure.</summary>
    public static void Exec(string path, IReadOnlyList<string> argv)
    {
        var handles = new List<nint>();
        try
        {
            nint Utf8(string s)
            {
                var h = Marshal.StringToCoTaskMemUTF8(s);
                handles.Add(h);
                return h;
            }
            var pathPtr = Utf8(path);
            var array = stackalloc byte*[argv.Count + 1];
            for (var i = 0; i < argv.Count; i++)
                array[i] = (byte*)Utf8(argv[i]);
            array[argv.Count] = null;
            execv((byte*)pathPtr, array);
            throw Error("execv " + path);
        }
        finally
        {
            foreach (var h in handles)
                Marshal.FreeCoTaskMem(h);
        }
    }

    public static void Check(int result, string what)
    {
        if (result < 0)
            throw Error(what);
    }

    public static IOException Error(string what)
    {
        var errno = Marshal.GetLastPInvokeError();
        return new IOException($"{what}: {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno})");
    }
}
