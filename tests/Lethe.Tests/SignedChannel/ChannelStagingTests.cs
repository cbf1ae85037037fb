using System.Security.Cryptography;
using Lethe.Image.Cache;
using Lethe.Machine.SignedChannel;

namespace Lethe.Tests.SignedChannel;

/// <summary>The download half of the consumer, from a folder channel with small stand-in image files.</summary>
public sealed class ChannelStagingTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("lethe-staging-").FullName;
    private static readonly string Digest = new('a', 64);

    public void Dispose() => Directory.Delete(folder, recursive: true);

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private (ChannelManifest Manifest, string Channel) Channel(Func<string, byte[], ChannelFile>? describe = null)
    {
        var channel = Path.Combine(folder, "channel");
        var images = Directory.CreateDirectory(Path.Combine(channel, "images", Digest)).FullName;
        var files = new Dictionary<string, ChannelFile>();
        foreach (var name in ChannelLayout.ImageFileNames)
        {
            var bytes = System.Text.Encoding.UTF8.GetBytes($"the {name} of the image\n");
            File.WriteAllBytes(Path.Combine(images, name), bytes);
            files[name] = describe?.Invoke(name, bytes) ?? new ChannelFile(Convert.ToHexStringLower(SHA256.HashData(bytes)), bytes.Length);
        }
        var generation = ChannelManifestTests.Generation(Digest) with { Files = files };
        return (ChannelManifestTests.Manifest() with { Generation = generation }, channel);
    }

    private async Task<Exception?> InstallAsync(ChannelManifest manifest, string channel)
    {
        var cache = new ImageCache(Path.Combine(folder, "cache"));
        await using var work = cache.CreateWorkFolder();
        using var source = new FolderChannelSource(channel);
        try
        {
            var image = await new ChannelStaging(cache, null).InstallAsync(source, work, manifest, Token);
            image.Digest.ShouldBe(Digest);
            return null;
        }
        catch (ChannelRefusedException e)
        {
            return e;
        }
    }

    [Fact]
    public async Task Files_matching_the_manifest_are_installed_as_an_image_set_that_loads()
    {
        var (manifest, channel) = Channel();
        (await InstallAsync(manifest, channel)).ShouldBeNull();
        var loaded = ImageSetFolder.TryLoad(Path.Combine(folder, "cache", Digest)).ShouldNotBeNull();
        (loaded.KernelVersion, loaded.RootfsKey).ShouldBe((manifest.Generation.KernelRelease, manifest.Generation.RootfsKey));
        new ChannelStaging(new ImageCache(Path.Combine(folder, "cache")), null).Cached(manifest.Generation).ShouldNotBeNull();
        Directory.EnumerateDirectories(Path.Combine(folder, "cache")).Select(Path.GetFileName).ShouldBe([Digest]);
    }

    [Fact]
    public async Task A_file_longer_than_its_signed_size_is_stopped_there_and_nothing_is_installed()
    {
        var (manifest, channel) = Channel((name, bytes) => new ChannelFile(Convert.ToHexStringLower(SHA256.HashData(bytes)), name == "vmlinux" ? 4 : bytes.Length));
        var refusal = (await InstallAsync(manifest, channel)).ShouldBeOfType<ChannelRefusedException>();
        (refusal.Reason, refusal.Message).ShouldBe((ChannelRefusal.Tampered, "channel refused: vmlinux is larger than the manifest's 4 bytes"));
        Directory.EnumerateDirectories(Path.Combine(folder, "cache")).ShouldBeEmpty();
    }

    [Fact]
    public async Task A_short_file_and_a_missing_file_are_refused()
    {
        var (manifest, channel) = Channel((_, bytes) => new ChannelFile(Convert.ToHexStringLower(SHA256.HashData(bytes)), bytes.Length + 1));
        (await InstallAsync(manifest, channel)).ShouldBeOfType<ChannelRefusedException>().Message.ShouldMatch(@"^channel refused: rootfs.erofs has (\d+) bytes; the manifest says \d+$");
        File.Delete(Path.Combine(channel, "images", Digest, "initramfs.cpio"));
        var (intact, _) = Channel();
        File.Delete(Path.Combine(channel, "images", Digest, "initramfs.cpio"));
        (await InstallAsync(intact, channel)).ShouldBeOfType<ChannelRefusedException>().Message.ShouldContain($"the channel has no images/{Digest}/initramfs.cpio");
        Directory.EnumerateDirectories(Path.Combine(folder, "cache")).ShouldBeEmpty();
    }
}
