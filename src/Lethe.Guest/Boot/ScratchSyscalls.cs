using System.Runtime.InteropServices;
using Lethe.Guest.Native;

namespace Lethe.Guest.Boot;

/// <summary>The system calls the scratch disk needs beyond <see cref="Libc"/>: the kernel's random source and umount.</summary>
internal static unsafe partial class ScratchSyscalls
{
    private const int EINTR = 4;
    private const int MNT_DETACH = 2;

    /// <summary>
    /// Fills <paramref name="destination"/> from getrandom(2) without GRND_NONBLOCK: it waits until the
    /// kernel's generator is seeded (on 5.4+ kernels the jitter entropy seeds it within about a second).
    /// </summary>
    public static void FillRandom(Span<byte> destination)
    {
        fixed (byte* start = destination)
        {
            var done = 0;
            while (done < destination.Length)
            {
                var read = getrandom(start + done, (nuint)(destination.Length - done), 0);
                if (read < 0)
                {
                    if (Marshal.GetLastPInvokeError() == EINTR)
                        continue;
                    throw Libc.Error("getrandom");
                }
                done += (int)read;
            }
        }
    }

    /// <summary>A lazy unmount: for cleaning up a half-made scratch, where nothing may be left busy.</summary>
    public static void Detach(string target) => umount2(target, MNT_DETACH);

    [LibraryImport("libc", SetLastError = true)]
    private static partial nint getrandom(byte* buffer, nuint length, uint flags);

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int umount2(string target, int flags);
}
