using System.Runtime.InteropServices;
using Lethe.Core;
using Microsoft.Win32.SafeHandles;

namespace Lethe.Image.Lock;

/// <summary>Ownership changes through an open handle (fchown), never through a path that a link could redirect.</summary>
public static class OwnedFiles
{
    public static void GiveTo(SafeFileHandle handle, uint uid, uint gid, string nameForErrors)
    {
        var added = false;
        try
        {
            handle.DangerousAddRef(ref added);
            if (fchown(handle.DangerousGetHandle().ToInt32(), uid, gid) != 0)
                throw new LetheException($"cannot give {nameForErrors} to {uid}:{gid}: errno {Marshal.GetLastPInvokeError()}");
        }
        finally
        {
            if (added)
                handle.DangerousRelease();
        }
    }

    [DllImport("libc", SetLastError = true)]
#pragma warning disable SYSLIB1054 // plain ints only: no marshalling to generate
    private static extern int fchown(int fd, uint owner, uint group);
#pragma warning restore SYSLIB1054
}
