using Lethe.Guest.Native;
using Lethe.Protocol.Confinement;

namespace Lethe.Guest.Confine;

/// <summary>
/// Host side, hidden verb: <c>lethe-init confine -- PROGRAM ARGS...</c>. lethe starts QEMU through it:
/// it sets no_new_privs, RLIMIT_CORE 0 (guest memory never lands in a core file) and the seccomp filter
/// of <see cref="VmmSyscallFilter"/>, then execs PROGRAM (an absolute path) with the environment it got.
/// All three survive the exec and any later change of user.
/// </summary>
internal static class ConfineCommand
{
    public static int Run(IReadOnlyList<string> command)
    {
        if (command.Count == 0 || !command[0].StartsWith('/'))
        {
            Console.Error.WriteLine("lethe-init confine: usage: lethe-init confine -- /ABSOLUTE/PROGRAM [ARGS...]");
            return 2;
        }
        try
        {
            ConfineSyscalls.SetNoNewPrivileges();
            ConfineSyscalls.DisableCoreDumps();
            ConfineSyscalls.InstallFilter(VmmSyscallFilter.Encode(VmmSyscallFilter.Build()));
            Libc.Exec(command[0], command);
            return 127;
        }
        catch (IOException e)
        {
            Console.Error.WriteLine($"lethe-init confine: {e.Message}");
            return 127;
        }
    }
}
