using Lethe.Protocol;

namespace Lethe.Tests.Ssh;

/// <summary>Public keys read as hostile text: the guest's host key, and the key files a spec names.</summary>
public sealed class SshKeyFormatTests
{
    public const string Ed25519 = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKbgy9cAWa96Uo0Aw99p5yGp5dhzzBYrRZnVFoz6UTo0";
    public const string OtherEd25519 = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIJa5bPzahrgoJCC8KAwA2XD2a5AcdMk1c7cqH25YvCfP";
    public const string Ecdsa = "ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBHAA8+yPWHo6222+vtbf+qroVXJCT6c7ZbjkvX2dIWDY9sJcAMRuEs9xerMMTkQBU7LPvQgqlaLqgnvyE/EYrPA=";

    [Fact]
    public void A_key_line_keeps_type_and_key_and_drops_its_comment() =>
        SshPublicKeys.Parse(Ed25519 + " me@host\n", out _).ShouldNotBeNull().ToString().ShouldBe(Ed25519);

    [Theory]
    [InlineData("", "empty")]
    [InlineData("ssh-ed25519", "not 'TYPE BASE64'")]
    [InlineData("ssh-dss AAAAB3NzaC1kc3MAAACBAP", "not a known SSH public key type")]
    [InlineData("ssh-ed25519 not*base64", "its key is not base64")]
    [InlineData("ssh-rsa AAAAC3NzaC1lZDI1NTE5AAAAIKbgy9cAWa96Uo0Aw99p5yGp5dhzzBYrRZnVFoz6UTo0", "its key does not match its type")]
    [InlineData("command=\"sh\" ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKbgy9cAWa96Uo0Aw99p5yGp5dhzzBYrRZnVFoz6UTo0", "not a known SSH public key type")]
    [InlineData("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKbgy9cAWa96Uo0Aw99p5yGp5dhzzBYrRZnVFoz6UTo0 a\u001b[2Jb", "contains control characters")]
    public void Anything_but_a_known_type_with_its_own_blob_is_refused(string line, string problem)
    {
        SshPublicKeys.Parse(line, out var why).ShouldBeNull();
        why.ShouldBe(problem);
    }

    [Fact]
    public void The_host_key_must_be_exactly_one_ed25519_key()
    {
        SshPublicKeys.ParseHostKey(Ed25519 + "\n", out _).ShouldNotBeNull().ToString().ShouldBe(Ed25519);
        SshPublicKeys.ParseHostKey(Ed25519 + "\n" + OtherEd25519, out var two).ShouldBeNull();
        two.ShouldBe("more than one line");
        SshPublicKeys.ParseHostKey(Ecdsa, out var ecdsa).ShouldBeNull();
        ecdsa.ShouldBe("not an ed25519 key");
        SshPublicKeys.ParseHostKey("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAAQ==", out var shortKey).ShouldBeNull();
        shortKey.ShouldBe("not an ed25519 key");
    }

    [Fact]
    public void A_key_file_gives_every_key_and_skips_comments_and_blank_lines() =>
        SshPublicKeys.ParseFile($"# mine\n{Ed25519} a\n\n{Ecdsa}\n", out _).ShouldNotBeNull().Select(k => k.ToString()).ShouldBe([Ed25519, Ecdsa]);

    [Theory]
    [InlineData("-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ\n-----END OPENSSH PRIVATE KEY-----\n")]
    [InlineData("-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA\n-----END RSA PRIVATE KEY-----\n")]
    [InlineData("PuTTY-User-Key-File-3: ssh-ed25519\nEncryption: none\n")]
    public void A_private_key_file_is_refused_without_repeating_its_content(string text)
    {
        SshPublicKeys.ParseFile(text, out var problem).ShouldBeNull();
        problem.ShouldBe("holds a private key, not a public one (list its .pub file)");
    }

    [Fact]
    public void A_bad_line_is_named_by_its_number_only()
    {
        SshPublicKeys.ParseFile($"{Ed25519}\nsecret-looking-text-here\n", out var problem).ShouldBeNull();
        problem.ShouldBe("line 2 is not an SSH public key: not 'TYPE BASE64'");
        SshPublicKeys.ParseFile("\n# nothing\n", out var empty).ShouldBeNull();
        empty.ShouldBe("holds no SSH public key");
    }
}
