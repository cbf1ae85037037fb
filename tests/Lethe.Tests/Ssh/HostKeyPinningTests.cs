using Lethe.Machine.Ssh;
using Lethe.Protocol;

namespace Lethe.Tests.Ssh;

/// <summary>The machine's own known_hosts: pinned at the first boot, checked at every later one.</summary>
public sealed class HostKeyPinningTests
{
    private static readonly SshPublicKey Reported = SshPublicKeys.Parse(SshKeyFormatTests.Ed25519, out _)!;
    private static readonly string Pinned = HostKeyPinning.Line("box.lethe", Reported);
    private static readonly string OtherPinned = $"box.lethe {SshKeyFormatTests.OtherEd25519}\n";

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Nothing_pinned_yet_pins_the_reported_key(bool keep)
    {
        HostKeyPinning.Decide(null, Reported, "box.lethe", keep).ShouldBe(PinDecision.Pin);
        HostKeyPinning.Decide("other.lethe " + SshKeyFormatTests.OtherEd25519 + "\n", Reported, "box.lethe", keep).ShouldBe(PinDecision.Pin);
    }

    [Fact]
    public void The_pin_line_is_the_alias_and_the_key() =>
        Pinned.ShouldBe($"box.lethe {SshKeyFormatTests.Ed25519}\n");

    [Fact]
    public void The_same_key_again_is_unchanged() =>
        HostKeyPinning.Decide(Pinned, Reported, "box.lethe", keepIdentity: true).ShouldBe(PinDecision.Unchanged);

    [Fact]
    public void A_changed_key_is_refused_when_the_machine_keeps_its_identity_and_replaced_when_it_is_fresh()
    {
        HostKeyPinning.Decide(OtherPinned, Reported, "box.lethe", keepIdentity: true).ShouldBe(PinDecision.Changed);
        HostKeyPinning.Decide(OtherPinned, Reported, "box.lethe", keepIdentity: false).ShouldBe(PinDecision.Replace);
    }

    [Theory]
    [InlineData("box.lethe garbage\n")]
    [InlineData("box.lethe,other ssh-ed25519 AAAA\n")]
    public void A_tampered_entry_counts_as_a_changed_key(string knownHosts) =>
        HostKeyPinning.Decide(knownHosts, Reported, "box.lethe", keepIdentity: true).ShouldBe(PinDecision.Changed);

    [Fact]
    public void A_second_key_planted_beside_the_pinned_one_counts_as_a_changed_key() =>
        HostKeyPinning.Decide(Pinned + OtherPinned, Reported, "box.lethe", keepIdentity: true).ShouldBe(PinDecision.Changed);
}
