namespace Lethe.Protocol;

/// <summary>
/// Pure: the seed message, the first thing a booting guest reads on its control port. It carries the
/// non-secret <see cref="GuestSeed"/>, fresh entropy from the host (credited to the guest's RNG before
/// anything else, which is what makes two machines restored from one snapshot diverge) and the host's
/// clock. Its size is capped by the channel's (<see cref="ControlChannel.DefaultMaxMessageBytes"/>). The guest reads it strictly: anything but exactly one well-formed seed message stops the boot.
/// </summary>
public static class SeedMessages
{
    /// <summary>Host entropy per boot: 64 bytes, well over the 32 the kernel's CRNG needs to be seeded.</summary>
    public const int EntropyBytes = 64;
    public const int MinEntropyBytes = 32;
    public const int MaxEntropyBytes = 512;

    /// <summary>How long a guest waits for its seed before it powers off; the host's ready timeout is longer.</summary>
    public static readonly TimeSpan GuestTimeout = TimeSpan.FromSeconds(150);

    public static ControlMessage For(GuestSeed seed, ReadOnlySpan<byte> entropy, DateTimeOffset clock) => new()
    {
        Type = MessageTypes.Seed,
        Seed = seed,
        Data = Convert.ToBase64String(entropy),
        ClockMs = clock.ToUnixTimeMilliseconds(),
    };

    /// <summary>The seed, entropy and clock of <paramref name="message"/>; throws <see cref="InvalidDataException"/> for anything else.</summary>
    public static (GuestSeed Seed, byte[] Entropy, DateTimeOffset Clock) Read(ControlMessage? message)
    {
        if (message is null)
            throw new InvalidDataException("the control channel ended before the seed arrived");
        if (message.Type != MessageTypes.Seed)
            throw new InvalidDataException($"expected the seed, got a {UntrustedText.ForLine(message.Type)} message");
        var seed = message.Seed ?? throw new InvalidDataException("the seed message has no seed");
        if (seed.Version != 1)
            throw new InvalidDataException($"the seed's version {seed.Version} is not 1");
        if (seed.Hostname is not { Length: > 0 } || seed.User is null || seed.MemoryMiB <= 0)
            throw new InvalidDataException("the seed lacks its hostname, user or memory");
        var entropy = message.DataBytes();
        if (entropy.Length is < MinEntropyBytes or > MaxEntropyBytes)
            throw new InvalidDataException($"the seed's entropy is {entropy.Length} bytes, not {MinEntropyBytes}–{MaxEntropyBytes}");
        if (message.ClockMs is not { } ms || ms <= 0 || ms > DateTimeOffset.MaxValue.ToUnixTimeMilliseconds())
            throw new InvalidDataException("the seed's clock is missing or out of range");
        if (message.Exec is not null || message.Text is not null || message.Session != 0)
            throw new InvalidDataException("the seed message carries fields a seed never has");
        return (seed, entropy, DateTimeOffset.FromUnixTimeMilliseconds(ms));
    }
}
