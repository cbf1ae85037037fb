using Lethe.Spec;

namespace Lethe.Tests.Spec;

/// <summary>identity: whether machine-id and SSH host keys survive reboots.</summary>
public sealed class SpecIdentityTests
{
    [Fact]
    public void Absent_identity_is_keep()
    {
        SpecAssert.Valid("").Identity.ShouldBe(IdentityMode.Keep);
        SpecAssert.Valid("identity:\n").Identity.ShouldBe(IdentityMode.Keep);
    }

    [Theory]
    [InlineData("keep", IdentityMode.Keep)]
    [InlineData("fresh", IdentityMode.Fresh)]
    public void Both_modes_are_read(string written, IdentityMode expected) =>
        SpecAssert.Valid($"identity: {written}").Identity.ShouldBe(expected);

    [Theory]
    [InlineData("identity: new", "1:11: identity: expected one of keep, fresh, got 'new'")]
    [InlineData("identity: frsh", "1:11: identity: expected one of keep, fresh, got 'frsh' (did you mean 'fresh'?)")]
    [InlineData("identity: Keep", "1:11: identity: expected one of keep, fresh, got 'Keep' (did you mean 'keep'?)")]
    [InlineData("identity: [keep]", "1:11: identity: expected one of keep, fresh, got a list")]
    [InlineData("identiy: keep", "1:1: unknown key 'identiy' at top level (did you mean 'identity'?)")]
    public void Wrong_values_are_reported_at_the_value(string yaml, string expected) =>
        SpecAssert.SingleError(yaml, expected);
}
