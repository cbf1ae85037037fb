using System.Runtime.InteropServices;
using Lethe.Core;
using Microsoft.Win32.SafeHandles;

namespace Lethe.Machine.Qemu;

/// <summary>Opens QEMU's inputs for it, as lethe (root or the user), never through a symbolic link.</summary>
public static class VmmFiles
{
    private const int O_RDONLY = 0, O_RDWR = 2, O_NOCTTY = 0x100, O_NOFOLLOW = 0x20000, O_CLOEXEC = 0x80000;

    public static SafeFileHandle Open(string path, bool writable)
    {
        var fd = open(path, (writable ? O_RDWR : O_RDONLY) | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY, 0);
        if (fd < 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            throw new HostException($"cannot open {path} for QEMU: {Marshal.GetPInvokeErrorMessage(errno)}");
        }
        return new SafeFileHandle(fd, ownsHandle: true);
    }

    /// <summary>The programs of a launch: lethe-init (published beside the CLI), setpriv and QEMU, found on PATH.</summary>
    public static VmmTools LocateTools(string qemuBinary)
    {
        var confine = new[] { Environment.GetEnvironmentVariable("LETHE_GUEST_INIT"), Path.Combine(AppContext.BaseDirectory, "..", "guest", "lethe-init") }
            .OfType<string>().Where(p => p.Length > 0).Select(Path.GetFullPath).FirstOrDefault(File.Exists)
            ?? throw new HostException("lethe-init is not built, and QEMU only runs confined by it; run lethe through the ./lethe launcher, which builds it");
        return new VmmTools(confine, OnPath("setpriv"), OnPath(qemuBinary));
    }

    private static string OnPath(string program) =>
        program.StartsWith('/') ? program
        : (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Concat(["/usr/bin", "/bin", "/usr/sbin", "/sbin"])
            .Where(d => d.StartsWith('/')).Select(d => Path.Combine(d, program)).FirstOrDefault(File.Exists)
          ?? throw new HostException($"{program} is not installed");

#pragma warning disable SYSLIB1054 // LibraryImport needs unsafe code in this project.
    [DllImport("libc", SetLastError = true)]
    private static extern int open([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags, int mode);
#pragma warning restore SYSLIB1054
}
