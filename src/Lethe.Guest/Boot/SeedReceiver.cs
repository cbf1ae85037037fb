using Lethe.Guest.Native;
using Lethe.Protocol;

namespace Lethe.Guest.Boot;

/// <summary>
/// The seed arrives on the control port (not in the initramfs), so that one cached initramfs boots every
/// run and a warm snapshot can be taken while the guest waits here. The guest says it waits, reads exactly
/// one strict message, and makes the RNG and clock fresh from it before anything else runs.
/// A host that never sends a seed gets a guest that powers off after <see cref="SeedMessages.GuestTimeout"/>.
/// </summary>
internal static class SeedReceiver
{
    public static GuestSeed Receive(ControlChannel channel)
    {
        channel.Send(new ControlMessage { Type = MessageTypes.SeedWanted });
        GuestSeed seed;
        byte[] entropy;
        DateTimeOffset clock;
        using (new Timer(_ => NoSeed(), null, SeedMessages.GuestTimeout, Timeout.InfiniteTimeSpan))
            (seed, entropy, clock) = SeedMessages.Read(channel.ReceiveAsync().GetAwaiter().GetResult());
        try
        {
            Libc.AddEntropyAndReseed(entropy);
        }
        finally
        {
            Array.Clear(entropy);
        }
        Libc.SetClock(clock);
        return seed;
    }

    private static void NoSeed()
    {
        Console.Error.WriteLine($"lethe-init: no seed from the host within {SeedMessages.GuestTimeout.TotalSeconds:0} s; powering off");
        FirstProcess.PowerOff();
    }
}
