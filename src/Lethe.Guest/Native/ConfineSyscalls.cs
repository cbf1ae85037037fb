using System.Runtime.InteropServices;

namespace Lethe.Guest.Native;

/// <summary>The system calls of lethe-init confine (host side): no_new_privs, no core dumps, a seccomp filter.</summary>
internal static unsafe partial class ConfineSyscalls
{
    private const int PR_SET_SECCOMP = 22, PR_SET_NO_NEW_PRIVS = 38, SECCOMP_MODE_FILTER = 2, RLIMIT_CORE = 4;

    [StructLayout(LayoutKind.Sequential)]
    private struct SockFprog
    {
        public ushort Length;
        public byte* Filter;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct Rlimit
    {
        public ulong Current;
        public ulong Maximum;
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial int prctl(int option, nuint arg2, nuint arg3, nuint arg4, nuint arg5);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int setrlimit(int resource, Rlimit* limit);

    public static void SetNoNewPrivileges() => Libc.Check(prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "prctl(PR_SET_NO_NEW_PRIVS)");

    public static void DisableCoreDumps()
    {
        var none = new Rlimit();
        Libc.Check(setrlimit(RLIMIT_CORE, &none), "setrlimit(RLIMIT_CORE)");
    }

    /// <summary>Installs a classic-BPF seccomp filter (struct sock_filter[] bytes) on this thread, which then execs.</summary>
    public static void InstallFilter(byte[] program)
    {
        fixed (byte* filter = program)
        {
            var fprog = new SockFprog { Length = checked((ushort)(program.Length / 8)), Filter = filter };
            Libc.Check(prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, (nuint)(&fprog), 0, 0), "prctl(PR_SET_SECCOMP)");
        }
    }
}
