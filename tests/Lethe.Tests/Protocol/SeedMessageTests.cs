using Lethe.Protocol;

namespace Lethe.Tests.Protocol;

/// <summary>The guest reads its seed strictly: only one well-formed seed message is accepted.</summary>
public sealed class SeedMessageTests
{
    private static readonly GuestSeed Seed = new() { Hostname = "box", User = new GuestUser("dev", 1000, 1000, "/home/dev", "/bin/bash"), MemoryMiB = 512 };
    private static readonly DateTimeOffset Clock = DateTimeOffset.FromUnixTimeMilliseconds(1_790_000_000_000);

    private static ControlMessage Valid() => SeedMessages.For(Seed, new byte[SeedMessages.EntropyBytes], Clock);

    [Fact]
    public void A_well_formed_seed_message_gives_the_seed_the_entropy_and_the_clock()
    {
        var (seed, entropy, clock) = SeedMessages.Read(ControlChannel.TryParse(ProtocolJson.Serialize(Valid())));
        seed.ShouldBe(Seed with { });
        seed.Hostname.ShouldBe("box");
        entropy.Length.ShouldBe(SeedMessages.EntropyBytes);
        clock.ShouldBe(Clock);
    }

    public static TheoryData<string, ControlMessage?> Refused() => new()
    {
        { "end of channel", null },
        { "another type first", new ControlMessage { Type = MessageTypes.Exec, Exec = new ExecRequest { Argv = ["true"] } } },
        { "no seed", Valid() with { Seed = null } },
        { "another version", Valid() with { Seed = Seed with { Version = 2 } } },
        { "no hostname", Valid() with { Seed = Seed with { Hostname = "" } } },
        { "no memory", Valid() with { Seed = Seed with { MemoryMiB = 0 } } },
        { "no entropy", Valid() with { Data = null } },
        { "too little entropy", Valid() with { Data = Convert.ToBase64String(new byte[SeedMessages.MinEntropyBytes - 1]) } },
        { "too much entropy", Valid() with { Data = Convert.ToBase64String(new byte[SeedMessages.MaxEntropyBytes + 1]) } },
        { "no clock", Valid() with { ClockMs = null } },
        { "a clock before 1970", Valid() with { ClockMs = -5 } },
        { "a clock past year 9999", Valid() with { ClockMs = long.MaxValue } },
        { "an exec riding along", Valid() with { Exec = new ExecRequest { Argv = ["sh"] } } },
        { "a session", Valid() with { Session = 3 } },
    };

    [Theory]
    [MemberData(nameof(Refused))]
    public void Anything_else_stops_the_boot(string why, ControlMessage? message)
    {
        Should.Throw<InvalidDataException>(() => SeedMessages.Read(message)).Message.ShouldNotBeEmpty(why);
    }

    [Fact]
    public void A_seed_line_missing_a_required_field_is_malformed_on_the_channel()
    {
        var line = ProtocolJson.Serialize(Valid()).Replace("\"hostname\":\"box\",", "", StringComparison.Ordinal);
        ControlChannel.TryParse(line).ShouldBeNull();
    }
}
