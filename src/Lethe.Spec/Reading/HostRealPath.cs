using System.Runtime.InteropServices;

namespace Lethe.Spec.Reading;

/// <summary>realpath(3): the path with every link and ".." resolved, as the kernel would reach it; null if it does not resolve.</summary>
internal static class HostRealPath
{
    public static string? Of(string path)
    {
        var resolved = realpath(path, IntPtr.Zero);
        if (resolved == IntPtr.Zero)
            return null;
        try
        {
            return Marshal.PtrToStringUTF8(resolved);
        }
        finally
        {
            free(resolved);
        }
    }

    [DllImport("libc", SetLastError = true)]
    private static extern IntPtr realpath([MarshalAs(UnmanagedType.LPUTF8Str)] string path, IntPtr resolved);

    [DllImport("libc")]
    private static extern void free(IntPtr pointer);
}
