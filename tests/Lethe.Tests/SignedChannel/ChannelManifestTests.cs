using System.Text;
using Lethe.Machine.SignedChannel;

namespace Lethe.Tests.SignedChannel;

public sealed class ChannelManifestTests
{
    internal static readonly string Digest = new('a', 64);
    internal static readonly DateTimeOffset Now = new(2026, 11, 28, 5, 0, 0, TimeSpan.Zero);

    internal static ChannelGeneration Generation(string? digest = null) => new(
        digest ?? Digest, new string('b', 64), new string('c', 64), "6.1.0-28-amd64", new string('d', 64), new string('e', 64), null,
        ["bash=5.2.15-2+b7"],
        new Dictionary<string, ChannelFile>
        {
            ["rootfs.erofs"] = new(new string('1', 64), 1000),
            ["vmlinux"] = new(new string('c', 64), 200),
            ["initramfs.cpio"] = new(new string('3', 64), 30),
        });

    internal static ChannelManifest Manifest(long version = 1, string? digest = null, TimeSpan? lifetime = null) =>
        new(1, version, Now, Now + (lifetime ?? TimeSpan.FromDays(7)), Generation(digest));

    [Fact]
    public void A_manifest_round_trips_through_its_json_with_camel_case_names()
    {
        var manifest = Manifest(version: 3);
        var bytes = ChannelManifestText.Serialize(manifest);
        var text = Encoding.UTF8.GetString(bytes);
        text.ShouldContain("\"imageDigest\": \"" + Digest + "\"");
        text.ShouldContain("\"sourceRevision\": null");
        text.ShouldContain("\"version\": 3");
        var back = ChannelManifestText.Parse(bytes);
        back.Version.ShouldBe(3);
        back.Expires.ShouldBe(manifest.Expires);
        back.Generation.Files["rootfs.erofs"].Size.ShouldBe(1000);
    }

    [Theory]
    [InlineData("\"schema\": 1", "\"schema\": 2", "schema 2")]
    [InlineData("\"version\": 1", "\"version\": 0", "versions start at 1")]
    [InlineData("\"vmlinux\"", "\"../vmlinux\"", "files must be exactly")]
    [InlineData("\"kernelRelease\": \"6.1.0-28-amd64\"", "\"kernelRelease\": \"6.1/../x\"", "kernelRelease")]
    [InlineData("\"size\": 1000", "\"size\": -1", "out of range")]
    [InlineData("\"schema\": 1", "\"schema\": 1, \"extra\": true", "not a channel manifest")]
    public void A_manifest_this_lethe_cannot_trust_is_refused_as_bad(string from, string to, string expected)
    {
        var text = Encoding.UTF8.GetString(ChannelManifestText.Serialize(Manifest()));
        text.ShouldContain(from);
        var refusal = Should.Throw<ChannelRefusedException>(() => ChannelManifestText.Parse(Encoding.UTF8.GetBytes(text.Replace(from, to))));
        refusal.Reason.ShouldBe(ChannelRefusal.BadManifest);
        refusal.Message.ShouldContain(expected);
        refusal.Message.ShouldNotContain("\n");
    }

    [Fact]
    public void An_image_digest_that_could_name_another_folder_is_refused()
    {
        var manifest = Manifest(digest: "../../etc");
        ChannelManifestText.Problem(manifest).ShouldBe("imageDigest is not a sha256 (64 lowercase hex digits)");
    }

    [Fact]
    public void A_missing_field_is_refused_rather_than_read_as_null()
    {
        var text = Encoding.UTF8.GetString(ChannelManifestText.Serialize(Manifest())).Replace("\"imageDigest\": \"" + Digest + "\",", "");
        Should.Throw<ChannelRefusedException>(() => ChannelManifestText.Parse(Encoding.UTF8.GetBytes(text))).Reason.ShouldBe(ChannelRefusal.BadManifest);
    }

    [Fact]
    public void Image_files_live_under_their_digest_by_fixed_names()
    {
        ChannelLayout.ImageFile(Digest, "rootfs.erofs").ShouldBe($"images/{Digest}/rootfs.erofs");
        ChannelLayout.ImageFileNames.ShouldBe(["rootfs.erofs", "vmlinux", "initramfs.cpio"]);
    }
}
