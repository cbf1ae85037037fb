using System.Security.Cryptography;
using Lethe.Machine.Scratch;

namespace Lethe.Tests.Scratch;

public sealed class ScratchKeyCheckTests
{
    private static readonly byte[] Key = RandomNumberGenerator.GetBytes(64);

    [Fact]
    public void A_key_in_hex_is_found_and_the_finding_does_not_repeat_it()
    {
        var hex = Convert.ToHexStringLower(Key);
        var result = ScratchProof.NoKeyMaterial("console log", $"boot\ntable: aes-xts-plain64 {hex} 0 /dev/vdb 0\n");
        result.Passed.ShouldBeFalse();
        result.Detail.ShouldBe("line 2: a run of 128 hex digits: key material may have leaked");
        result.Detail.ShouldNotContain(hex[..16]);
    }

    [Fact]
    public void Half_a_key_in_hex_is_enough()
    {
        ScratchKeyCheck.Find("k=" + Convert.ToHexString(Key)[..64]).ShouldBe("line 1: a run of 64 hex digits");
        ScratchKeyCheck.Find("k=" + Convert.ToHexString(Key)[..63]).ShouldBeNull();
    }

    [Fact]
    public void A_key_in_base64_is_found()
    {
        var text = "{\"key\":\"" + Convert.ToBase64String(Key) + "\"}";
        // 88 characters with the padding, which is not counted.
        ScratchKeyCheck.Find(text).ShouldBe("line 1: a run of 86 base64 characters");
    }

    [Fact]
    public void Known_public_values_such_as_the_image_digest_are_allowed()
    {
        var digest = Convert.ToHexStringLower(SHA256.HashData("image"u8));
        var text = $"image {digest}\n/root/cache/lethe/images/{digest}/rootfs.erofs\n";
        ScratchKeyCheck.Find(text).ShouldNotBeNull();
        ScratchKeyCheck.Find(text, [digest]).ShouldBeNull();
        ScratchProof.NoKeyMaterial("lethe log", text, [digest.ToUpperInvariant()]).Passed.ShouldBeTrue();
    }

    [Theory]
    [InlineData("lethe: boot kernel 812 ms, modules 930 ms, root 1204 ms, ready 1250 ms")]
    [InlineData("machine-id 0123456789abcdef0123456789abcdef")]
    [InlineData("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin")]
    [InlineData("/home/dev/src/some/very/deep/folder/structure/that/goes/on/and/on/and/on/for/quite/a/while/longer")]
    public void Ordinary_log_lines_are_clean(string line) =>
        ScratchKeyCheck.Find(line).ShouldBeNull();
}
