using System.Text.Json;
using Lethe.Core;
using Lethe.Image.Cache;
using Lethe.Machine.SignedChannel;

namespace Lethe.Tests.Integration.SignedChannel;

/// <summary>
/// lethe publish of the shared test image into a channel folder, and ChannelClient consuming it from the
/// folder and over HTTP on 127.0.0.1. Each attack is refused with one line, the consumer's cache (its
/// current generation) unchanged and nothing new in it. No VM boots.
/// </summary>
[Collection(MachineCollection.Name)]
public sealed class SignedChannelTests(TestImage image, ChannelKit kit) : IClassFixture<ChannelKit>, IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("lethe-it-consumer-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact(Timeout = 300_000)]
    public async Task A_published_channel_is_accepted_and_installed_as_a_cached_image_set_that_loads()
    {
        var channel = await kit.PublishedAsync(image);
        var built = await LetheProcess.RunAsync(["build", "--json", "--spec", image.FastSpec]);
        built.ExitCode.ShouldBe(0, built.ToString());
        using var buildJson = JsonDocument.Parse(built.Stdout);
        var digest = buildJson.RootElement.GetProperty("digest").GetString()!;
        var cached = buildJson.RootElement.GetProperty("directory").GetString()!;

        using var manifest = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(channel, "channel.json"), Token));
        var root = manifest.RootElement;
        (root.GetProperty("schema").GetInt32(), root.GetProperty("version").GetInt64()).ShouldBe((1, 1L));
        var generation = root.GetProperty("generation");
        generation.GetProperty("imageDigest").GetString().ShouldBe(digest);
        generation.GetProperty("kernelDigest").GetString().ShouldBe(ChannelKit.Sha256(Path.Combine(cached, "vmlinux")));
        generation.GetProperty("specSha256").GetString().ShouldBe(ChannelKit.Sha256(image.FastSpec));
        generation.GetProperty("lockSha256").GetString().ShouldBe(ChannelKit.Sha256(Path.ChangeExtension(image.FastSpec, ".lock")));
        generation.GetProperty("sourceRevision").ValueKind.ShouldBe(JsonValueKind.Null);
        generation.GetProperty("files").GetProperty("rootfs.erofs").GetProperty("size").GetInt64()
            .ShouldBe(new FileInfo(Path.Combine(cached, "rootfs.erofs")).Length);
        (root.GetProperty("expires").GetDateTimeOffset() - root.GetProperty("published").GetDateTimeOffset()).ShouldBe(TimeSpan.FromDays(7));

        var (paths, current) = ChannelKit.Consumer(folder);
        var update = await new ChannelClient(paths, TimeProvider.System).FetchAsync(Request(channel, kit.PublisherKey, null), Token);
        update.Verdict.ShouldBe(ChannelVerdict.Accept);
        update.Position.ShouldBe(new ChannelPosition(1, digest));
        update.Downloaded.ShouldBeTrue();
        var loaded = ImageSetFolder.TryLoad(Path.Combine(paths.Images, digest)).ShouldNotBeNull();
        loaded.KernelVersion.ShouldBe(buildJson.RootElement.GetProperty("kernelVersion").GetString());
        loaded.RootfsKey.ShouldBe(generation.GetProperty("rootfsKey").GetString());
        foreach (var name in ChannelLayout.ImageFileNames)
            ChannelKit.Sha256(Path.Combine(loaded.Directory, name)).ShouldBe(ChannelKit.Sha256(Path.Combine(cached, name)));
        Directory.EnumerateDirectories(paths.Images).Select(Path.GetFileName).Where(name => name != ".locks").Order().ShouldBe(new[] { digest, Path.GetFileName(current) }.Order());

        // The same version again is up to date, and the cached image is not fetched again.
        var again = await new ChannelClient(paths, TimeProvider.System).FetchAsync(Request(channel, kit.PublisherKey, update.Position), Token);
        (again.Verdict, again.Downloaded).ShouldBe((ChannelVerdict.UpToDate, false));
    }

    [Fact(Timeout = 300_000)]
    public async Task A_channel_served_over_http_on_loopback_is_accepted_and_a_wrong_signer_is_refused_there_before_any_image_download()
    {
        var channel = await kit.PublishedAsync(image);
        await using var server = new ChannelHttpServer(channel);
        var (paths, _) = ChannelKit.Consumer(folder);
        var update = await new ChannelClient(paths, TimeProvider.System).FetchAsync(Request(server.Url, kit.PublisherKey, null), Token);
        update.Verdict.ShouldBe(ChannelVerdict.Accept);
        ImageSetFolder.TryLoad(update.Image.Directory).ShouldNotBeNull().Digest.ShouldBe(update.Manifest.Generation.ImageDigest);
        server.Requests.Count(r => r.StartsWith("images/", StringComparison.Ordinal)).ShouldBe(3);

        var (otherPaths, _) = ChannelKit.Consumer(Path.Combine(folder, "other"));
        server.Requests.Clear();
        var refusal = await RefusedAsync(otherPaths, Request(server.Url, kit.IntruderKey, null));
        refusal.Reason.ShouldBe(ChannelRefusal.BadSignature);
        server.Requests.ShouldBe(["channel.json", "channel.json.sig"]);
    }

    [Fact(Timeout = 300_000)]
    public async Task A_rootfs_with_one_byte_flipped_is_refused_before_anything_enters_the_cache()
    {
        var channel = await kit.CopyAsync(await kit.PublishedAsync(image), "tampered");
        var digest = JsonDocument.Parse(File.ReadAllText(Path.Combine(channel, "channel.json"))).RootElement.GetProperty("generation").GetProperty("imageDigest").GetString()!;
        var rootfs = Path.Combine(channel, "images", digest, "rootfs.erofs");
        var original = rootfs + ".original";
        File.Move(rootfs, original);
        File.Copy(original, rootfs);
        await using (var stream = new FileStream(rootfs, FileMode.Open, FileAccess.ReadWrite))
        {
            stream.Position = 1_000_000;
            var value = stream.ReadByte();
            stream.Position = 1_000_000;
            stream.WriteByte((byte)(value ^ 0x01));
        }

        var (paths, _) = ChannelKit.Consumer(folder);
        var refusal = await RefusedAsync(paths, Request(channel, kit.PublisherKey, null));
        refusal.Reason.ShouldBe(ChannelRefusal.Tampered);
        refusal.Message.ShouldStartWith("channel refused: rootfs.erofs has sha256 ");
    }

    [Fact(Timeout = 300_000)]
    public async Task A_manifest_signed_by_another_key_or_edited_after_signing_is_refused()
    {
        var published = await kit.PublishedAsync(image);
        var (paths, _) = ChannelKit.Consumer(folder);
        (await RefusedAsync(paths, Request(published, kit.IntruderKey, null))).Reason.ShouldBe(ChannelRefusal.BadSignature);

        var forged = await kit.CopyAsync(published, "forged");
        var manifest = Path.Combine(forged, "channel.json");
        var text = await File.ReadAllTextAsync(manifest, Token);
        File.Delete(manifest);
        await File.WriteAllTextAsync(manifest, text.Replace("\"version\": 1,", "\"version\": 99,"), Token);
        var refusal = await RefusedAsync(paths, Request(forged, kit.PublisherKey, new ChannelPosition(1, new string('0', 64))));
        refusal.Reason.ShouldBe(ChannelRefusal.BadSignature);
        refusal.Message.ShouldContain("does not verify against the pinned allowed signers");
    }

    [Fact(Timeout = 300_000)]
    public async Task An_unsigned_channel_is_refused()
    {
        var channel = await kit.CopyAsync(await kit.PublishedAsync(image), "unsigned");
        File.Delete(Path.Combine(channel, "channel.json.sig"));
        var (paths, _) = ChannelKit.Consumer(folder);
        var refusal = await RefusedAsync(paths, Request(channel, kit.PublisherKey, null));
        refusal.Reason.ShouldBe(ChannelRefusal.Unsigned);
        refusal.Message.ShouldContain("an unsigned channel is never accepted");
    }

    [Fact(Timeout = 300_000)]
    public async Task An_expired_manifest_is_refused()
    {
        var channel = await kit.PublishedAsync(image);
        var (paths, _) = ChannelKit.Consumer(folder);
        var eightDaysOn = new FixedClock(DateTimeOffset.UtcNow.AddDays(8));
        var refusal = await RefusedAsync(paths, Request(channel, kit.PublisherKey, null), eightDaysOn);
        refusal.Reason.ShouldBe(ChannelRefusal.Expired);
        refusal.Message.ShouldContain("expired at");
    }

    private static ChannelRequest Request(string location, string key, ChannelPosition? accepted) =>
        new(ChannelLocation.Parse(location, "/"), AllowedSigners.Parse($"{ChannelLayout.Principal} {File.ReadAllText(key + ".pub").Trim()}", key), accepted);

    /// <summary>Fetches expecting a refusal, and checks the consumer's cache is byte for byte as before.</summary>
    internal static async Task<ChannelRefusedException> RefusedAsync(LethePaths paths, ChannelRequest request, TimeProvider? clock = null)
    {
        var before = ChannelKit.Snapshot(paths);
        var refusal = await Should.ThrowAsync<ChannelRefusedException>(
            () => new ChannelClient(paths, clock ?? TimeProvider.System).FetchAsync(request, Token));
        refusal.Message.ShouldNotContain("\n");
        refusal.ExitCode.ShouldBe(1);
        ChannelKit.Snapshot(paths).ShouldBe(before);
        Directory.EnumerateFileSystemEntries(paths.Images).Select(Path.GetFileName).Where(name => name != ".locks").Count().ShouldBe(before.Keys.Select(k => k.Split('/')[1]).Distinct().Count());
        return refusal;
    }
}
