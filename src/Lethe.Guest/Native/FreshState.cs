using System.Runtime.InteropServices;

namespace Lethe.Guest.Native;

/// <summary>
/// What a guest makes fresh from its seed message before anything else: the kernel RNG (host entropy,
/// credited, then a forced reseed of the CRNG, so that machines restored from one snapshot diverge at
/// once instead of at the CRNG's next periodic reseed) and the wall clock.
/// </summary>
internal static unsafe partial class Libc
{
    private const ulong RNDADDENTROPY = 0x40085203; // _IOW('R', 0x03, int[2])
    private const ulong RNDRESEEDCRNG = 0x5207;     // _IO('R', 0x07)
    private const int CLOCK_REALTIME = 0;

    [LibraryImport(Lib, SetLastError = true)]
    private static partial int clock_settime(int clock, Timespec* time);

    /// <summary>Mixes <paramref name="entropy"/> into the input pool, credited at 8 bits a byte, and reseeds the CRNG from it.</summary>
    public static void AddEntropyAndReseed(ReadOnlySpan<byte> entropy)
    {
        using var random = File.OpenHandle("/dev/random", FileMode.Open, FileAccess.Write);
        var fd = (int)random.DangerousGetHandle();
        // struct rand_pool_info { int entropy_count; int buf_size; __u32 buf[]; }
        var words = (entropy.Length + 3) / 4;
        var info = new byte[8 + words * 4];
        BitConverter.TryWriteBytes(info.AsSpan(0, 4), entropy.Length * 8);
        BitConverter.TryWriteBytes(info.AsSpan(4, 4), entropy.Length);
        entropy.CopyTo(info.AsSpan(8));
        try
        {
            fixed (byte* p = info)
                Check(ioctl(fd, RNDADDENTROPY, p), "RNDADDENTROPY");
            Check(ioctl(fd, RNDRESEEDCRNG, null), "RNDRESEEDCRNG");
        }
        finally
        {
            Array.Clear(info);
        }
    }

    public static void SetClock(DateTimeOffset now)
    {
        var ms = now.ToUnixTimeMilliseconds();
        var time = new Timespec { Seconds = ms / 1000, Nanoseconds = ms % 1000 * 1_000_000 };
        Check(clock_settime(CLOCK_REALTIME, &time), "clock_settime");
    }
}
