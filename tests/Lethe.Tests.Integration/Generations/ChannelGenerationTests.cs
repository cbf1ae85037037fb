using Lethe.Image;
using Lethe.Image.Cache;
using Lethe.Machine.SignedChannel;
using Lethe.Tests.Integration.SignedChannel;
using static Lethe.Tests.Integration.Generations.GenerationKit;

namespace Lethe.Tests.Integration.Generations;

/// <summary>
/// A workstation that follows a signed channel served on 127.0.0.1: a kernel-side change is staged and reported but
/// waits for a reboot; a generation that cannot boot falls back to the previous one; rollback boots a chosen one; and a
/// tampered, mis-signed, replayed or expired channel is refused while the machine keeps running what it runs. The persist
/// disk and the identity survive all of it.
/// </summary>
[Collection(MachineCollection.Name)]
public sealed class ChannelGenerationTests(TestImage image) : IAsyncDisposable
{
    private const string Name = "it-gen-channel";
    private readonly ChannelKit kit = new();
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    public async ValueTask DisposeAsync()
    {
        await LetheProcess.RunAsync(["down", Name], timeout: TimeSpan.FromMinutes(2));
        await LetheProcess.RunAsync(["rm", Name, "--yes"], timeout: TimeSpan.FromMinutes(1));
        await kit.DisposeAsync();
    }

    [Fact(Timeout = 1_500_000)]
    public async Task A_channel_workstation_stages_a_kernel_side_change_falls_back_rolls_back_and_refuses_every_bad_channel()
    {
        var published = await kit.PublishedAsync(image);
        var channel = Path.Combine(kit.Folder, "served");
        await ExportTests.ToolAsync("cp", "-a", published, channel);
        await using var server = new ChannelHttpServer(channel);
        var signers = Path.Combine(image.Folder, "gen-channel-signers");
        await File.WriteAllTextAsync(signers, kit.Signers(kit.PublisherKey).Text, Token);
        var spec = image.WriteSpec(Name, $"""
            persist:
              paths: [~/src]
            update:
              source: channel {server.Url}
              signers: ./gen-channel-signers
            """);

        var up = await LetheProcess.UpAsync(Name, ["--spec", spec]);
        up.Stderr.ShouldContain("staged generation 1");
        await OkAsync("exec", Name, "--", "sh", "-c", "echo kept > ~/src/kept");
        var identity = await IdentityAsync(Name);
        (await GenerationsAsync(Name)).Booted.ShouldBe(1);

        // Version 2: the same kernel and root, an initramfs with one more (harmless) archive: a reboot trigger.
        var version2 = Path.Combine(channel, "channel.json");
        await PublishVariantAsync(channel, "initramfs", folder => AppendArchiveAsync(Path.Combine(folder, ImageFiles.Initramfs)));
        var version2Manifest = await File.ReadAllBytesAsync(version2, Token);
        var version2Signature = await File.ReadAllBytesAsync(version2 + ".sig", Token);
        var update = await OkAsync("update", Name);
        update.Stderr.ShouldContain("staged generation 2");
        update.Stderr.ShouldContain("a reboot is waiting: generation 2 (initramfs changed)");
        (await OkAsync("ps")).Stdout.ShouldContain("a reboot is waiting: generation 2 (initramfs changed)");
        var exec = await OkAsync("exec", Name, "--", "true");
        exec.Stderr.ShouldContain($"lethe: {Name}: a reboot is waiting: generation 2 (initramfs changed); lethe reboot {Name} applies it");
        (await GenerationsAsync(Name)).Booted.ShouldBe(1, "a staged kernel-side change is never applied without a reboot");
        (await OkAsync("update", Name)).Stderr.ShouldContain("up to date");

        // The machine's own spec is live: the channel publishes images, not the consumer's policy or environment.
        await File.WriteAllTextAsync(spec, (await File.ReadAllTextAsync(spec, Token)).Replace("LETHE_TEST: \"yes\"", "LETHE_TEST: \"edited\"", StringComparison.Ordinal), Token);
        await OkAsync("reboot", Name);
        (await GenerationsAsync(Name)).Booted.ShouldBe(2);
        (await OkAsync("exec", Name, "--", "printenv", "LETHE_TEST")).Stdout.Trim().ShouldBe("edited");
        (await IdentityAsync(Name)).ShouldBe(identity);
        (await OkAsync("exec", Name, "--", "true")).Stderr.ShouldNotContain("reboot is waiting");

        // Version 3: a kernel that cannot boot. The reboot falls back to generation 2 by itself and says so.
        await PublishVariantAsync(channel, "broken-kernel", folder => ReplaceAsync(Path.Combine(folder, ImageFiles.Kernel), new byte[4096]));
        (await OkAsync("update", Name)).Stderr.ShouldContain("a reboot is waiting: generation 3 (kernel");
        await OkAsync("reboot", Name);
        var afterFallback = await GenerationsAsync(Name);
        afterFallback.Booted.ShouldBe(2);
        afterFallback.All.ShouldContain((3, "bad"));
        (await OkAsync("logs", Name)).Stdout.ShouldContain("generation 3 did not boot");
        (await OkAsync("exec", Name, "--", "true")).Stderr.ShouldNotContain("reboot is waiting", customMessage: "a bad generation waits for nothing");
        (await IdentityAsync(Name)).ShouldBe(identity);

        var rollback = await OkAsync("rollback", Name, "1");
        rollback.Stderr.ShouldContain($"{Name} rebooted into generation 1");
        var rolledBack = await GenerationsAsync(Name);
        (rolledBack.Booted, rolledBack.Current).ShouldBe((1, 1));
        (await IdentityAsync(Name)).ShouldBe(identity);

        // Each refusal is one line and exit 1; the generations and the running machine stay as they were.
        var before = await GenerationsAsync(Name);
        await PublishVariantAsync(channel, "tampered", _ => Task.CompletedTask);
        var tampered = Directory.GetDirectories(Path.Combine(channel, "images")).OrderByDescending(Directory.GetCreationTimeUtc).First();
        var flipped = await File.ReadAllBytesAsync(Path.Combine(tampered, ImageFiles.Initramfs), Token);
        flipped[^1] ^= 1;
        await ReplaceAsync(Path.Combine(tampered, ImageFiles.Initramfs), flipped);
        await RefusedAsync("initramfs.cpio has sha256", before);

        await PublishVariantAsync(channel, "intruder", _ => Task.CompletedTask, kit.IntruderKey);
        await RefusedAsync("does not verify against the pinned allowed signers", before);

        File.Delete(version2);
        File.Delete(version2 + ".sig");
        await File.WriteAllBytesAsync(version2, version2Manifest, Token);
        await File.WriteAllBytesAsync(version2 + ".sig", version2Signature, Token);
        await RefusedAsync("version 2 is older than version 3", before);

        await PublishVariantAsync(channel, "expired", _ => Task.CompletedTask, lifetime: TimeSpan.FromSeconds(1));
        await Task.Delay(TimeSpan.FromSeconds(2), Token);
        await RefusedAsync("expired", before);

        (await IdentityAsync(Name)).ShouldBe(identity);
        await OkAsync("down", Name);
        await LetheProcess.UpAsync(Name, ["--spec", spec]);
        (await GenerationsAsync(Name)).Booted.ShouldBe(1, "a rollback holds until a newer generation is staged");
        (await IdentityAsync(Name)).ShouldBe(identity);
    }

    private async Task RefusedAsync(string reason, (List<(int, string)> All, int? Booted, int? Current) before)
    {
        var refused = await LetheProcess.RunAsync(["update", Name], timeout: TimeSpan.FromMinutes(5));
        refused.ExitCode.ShouldBe(1, refused.ToString());
        refused.Stderr.Trim().Split('\n').Where(line => !line.StartsWith("lethe: fetching", StringComparison.Ordinal)).ShouldHaveSingleItem().ShouldContain(reason);
        var after = await GenerationsAsync(Name);
        after.All.ShouldBe(before.All);
        (after.Booted, after.Current).ShouldBe((before.Booted, before.Current));
        await OkAsync("exec", Name, "--", "true");
    }

    /// <summary>Publishes the test image, changed by <paramref name="change"/> in a copy, as the channel's next version.</summary>
    private async Task PublishVariantAsync(string channel, string variant, Func<string, Task> change, string? key = null, TimeSpan? lifetime = null)
    {
        var publishedDigest = ChannelManifestText.Parse(await File.ReadAllBytesAsync(Path.Combine(kit.Folder, "published", "channel.json"), Token)).Generation.ImageDigest;
        var baseImage = new ImageCache(Path.Combine(LetheProcess.LetheHome, "cache", "images")).TryLoadImage(publishedDigest).ShouldNotBeNull();
        var folder = Path.Combine(kit.Folder, "variant-" + variant);
        Directory.CreateDirectory(folder);
        foreach (var file in new[] { ImageFiles.Rootfs, ImageFiles.Kernel, ImageFiles.Initramfs, ImageFiles.Manifest })
            await ExportTests.ToolAsync("cp", file == ImageFiles.Rootfs ? "--link" : "--no-dereference", Path.Combine(baseImage.Directory, file), Path.Combine(folder, file));
        await change(folder);
        var digest = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(
            variant + ChannelKit.Sha256(Path.Combine(folder, ImageFiles.Initramfs)) + ChannelKit.Sha256(Path.Combine(folder, ImageFiles.Kernel)))));
        var variantImage = baseImage with { Digest = digest, Directory = folder };
        await new ChannelPublisher(TimeProvider.System).PublishAsync(
            new PublishRequest(channel, key ?? kit.PublisherKey, variantImage, image.FastSpec, null, lifetime ?? TimeSpan.FromHours(1)), Token);
    }

    private static async Task AppendArchiveAsync(string initramfs)
    {
        var extra = Path.Combine(Path.GetDirectoryName(initramfs)!, "extra");
        Directory.CreateDirectory(extra);
        await File.WriteAllTextAsync(Path.Combine(extra, "generation-test"), "2\n", Token);
        await ExportTests.ToolAsync("sh", "-c", "cd \"$1\" && echo generation-test | cpio --quiet -o -H newc >> \"$2\"", "sh", extra, initramfs);
    }

    /// <summary>Writes a new file in place of <paramref name="path"/> (never through it: it may be a hard link into the cache).</summary>
    private static async Task ReplaceAsync(string path, byte[] bytes)
    {
        await File.WriteAllBytesAsync(path + ".new", bytes, Token);
        File.Move(path + ".new", path, overwrite: true);
    }
}
