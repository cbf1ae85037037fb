using Lethe.Machine.Agents;

namespace Lethe.Tests.Agents;

public sealed class GpgKeyListingTests
{
    [Fact]
    public void The_fingerprints_of_secret_primary_keys_are_read_and_subkeys_are_not()
    {
        const string colons = """
            sec:u:255:22:AAAABBBBCCCCDDDD:1700000000:::u:::scESC:::+:::23::0:
            fpr:::::::::0123456789ABCDEF0123456789ABCDEF01234567:
            grp:::::::::1111111111111111111111111111111111111111:
            uid:u::::1700000000::HASH::Test <t@example.org>::::::::::0:
            ssb:u:255:18:EEEEFFFF00001111:1700000000::::::e:::+:::23:
            fpr:::::::::89ABCDEF0123456789ABCDEF0123456789ABCDEF:
            sec:u:255:22:1111222233334444:1700000000:::u:::scESC:::+:::23::0:
            fpr:::::::::FEDCBA9876543210FEDCBA9876543210FEDCBA98:
            """;

        GpgKeyListing.SecretFingerprints(colons).ShouldBe(
            ["0123456789ABCDEF0123456789ABCDEF01234567", "FEDCBA9876543210FEDCBA9876543210FEDCBA98"]);
        GpgKeyListing.SecretFingerprints("sec:u\nfpr:::::::::--output=/etc/passwd:\n").ShouldBeEmpty();
    }

    [Theory]
    [InlineData("ABCDEF0123456789", "ABCDEF0123456789")]
    [InlineData(" me@example.org \n", "me@example.org")]
    [InlineData("--output=/tmp/x", null)]
    [InlineData("~/.ssh/id_ed25519.pub", null)]
    [InlineData("ssh-ed25519 AAAAC3Nz", null)]
    [InlineData("key::ssh-ed25519 AAAA", null)]
    [InlineData("", null)]
    public void Git_signing_key_is_used_only_when_it_can_name_a_gpg_key(string configured, string? expected) =>
        GpgKeyListing.SigningKey(configured).ShouldBe(expected);
}
