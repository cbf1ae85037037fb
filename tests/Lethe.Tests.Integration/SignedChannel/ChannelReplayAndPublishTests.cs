using System.Text.Json;
using Lethe.Machine.SignedChannel;

namespace Lethe.Tests.Integration.SignedChannel;

/// <summary>A replayed older manifest, a second publish from a git work tree, and what lethe publish refuses to write through.</summary>
[Collection(MachineCollection.Name)]
public sealed class ChannelReplayAndPublishTests(TestImage image, ChannelKit kit) : IClassFixture<ChannelKit>, IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("lethe-it-replay-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact(Timeout = 300_000)]
    public async Task A_replayed_version_1_after_version_2_was_accepted_is_refused_and_version_2_stays()
    {
        var channel = await kit.CopyAsync(await kit.PublishedAsync(image), "replay");
        var version1 = await File.ReadAllBytesAsync(Path.Combine(channel, "channel.json"), Token);
        var signature1 = await File.ReadAllBytesAsync(Path.Combine(channel, "channel.json.sig"), Token);

        // Version 2 from a spec folder that is a git work tree: its commit is the source revision.
        var source = Path.Combine(folder, "source");
        Directory.CreateDirectory(source);
        File.Copy(image.FastSpec, Path.Combine(source, "lethe.yaml"));
        File.Copy(Path.ChangeExtension(image.FastSpec, ".lock"), Path.Combine(source, "lethe.lock"));
        await ExportTests.ToolAsync("git", "-C", source, "init", "-q");
        await ExportTests.ToolAsync("git", "-C", source, "add", ".");
        await ExportTests.ToolAsync("git", "-C", source, "-c", "user.name=t", "-c", "user.email=t@example.org", "commit", "-q", "-m", "v2");
        var head = (await ExportTests.ToolAsync("git", "-C", source, "rev-parse", "HEAD")).Trim();
        var publish = await LetheProcess.RunAsync(["publish", "--spec", Path.Combine(source, "lethe.yaml"), "--channel", channel, "--key", kit.PublisherKey,
            "--expires", "1h", "--json"], timeout: TimeSpan.FromMinutes(5));
        publish.ExitCode.ShouldBe(0, publish.ToString());
        using (var json = JsonDocument.Parse(publish.Stdout))
        {
            json.RootElement.GetProperty("version").GetInt64().ShouldBe(2);
            json.RootElement.GetProperty("generation").GetProperty("sourceRevision").GetString().ShouldBe(head);
            (json.RootElement.GetProperty("expires").GetDateTimeOffset() - json.RootElement.GetProperty("published").GetDateTimeOffset())
                .ShouldBe(TimeSpan.FromHours(1));
        }

        var (paths, _) = ChannelKit.Consumer(folder);
        var accepted = await new ChannelClient(paths, TimeProvider.System).FetchAsync(Request(channel), Token);
        accepted.Position.Version.ShouldBe(2);

        File.Delete(Path.Combine(channel, "channel.json"));
        File.Delete(Path.Combine(channel, "channel.json.sig"));
        await File.WriteAllBytesAsync(Path.Combine(channel, "channel.json"), version1, Token);
        await File.WriteAllBytesAsync(Path.Combine(channel, "channel.json.sig"), signature1, Token);
        var refusal = await SignedChannelTests.RefusedAsync(paths, Request(channel) with { LastAccepted = accepted.Position });
        refusal.Reason.ShouldBe(ChannelRefusal.Rollback);
        refusal.Message.ShouldBe("channel refused: version 1 is older than version 2, already accepted (a replayed or rolled-back manifest)");
    }

    [Fact(Timeout = 300_000)]
    public async Task Publish_refuses_a_linked_channel_folder_a_planted_image_file_and_bad_options_in_one_line()
    {
        var published = await kit.PublishedAsync(image);
        var target = Path.Combine(folder, "elsewhere");
        Directory.CreateDirectory(target);
        var linked = Path.Combine(folder, "linked");
        File.CreateSymbolicLink(linked, target);
        await ShouldRefuseAsync(["--channel", linked, "--key", kit.PublisherKey], "is a symbolic link");
        Directory.EnumerateFileSystemEntries(target).ShouldBeEmpty();

        var digest = JsonDocument.Parse(File.ReadAllText(Path.Combine(published, "channel.json"))).RootElement.GetProperty("generation").GetProperty("imageDigest").GetString()!;
        var planted = Path.Combine(folder, "planted");
        Directory.CreateDirectory(Path.Combine(planted, "images", digest));
        var victim = Path.Combine(folder, "victim");
        await File.WriteAllTextAsync(victim, "not lethe's", Token);
        File.CreateSymbolicLink(Path.Combine(planted, "images", digest, "rootfs.erofs"), victim);
        await ShouldRefuseAsync(["--channel", planted, "--key", kit.PublisherKey], "is a symbolic link; lethe will not publish over it");
        (await File.ReadAllTextAsync(victim, Token)).ShouldBe("not lethe's");
        File.Exists(Path.Combine(planted, "channel.json")).ShouldBeFalse();

        await ShouldRefuseAsync(["--channel", Path.Combine(folder, "c"), "--key", kit.PublisherKey, "--expires", "1w"], "--expires 1w");
        await ShouldRefuseAsync(["--channel", Path.Combine(folder, "c"), "--key", Path.Combine(folder, "nokey")], "no such key file");
    }

    private async Task ShouldRefuseAsync(string[] arguments, string expected)
    {
        var result = await LetheProcess.RunAsync(["publish", "--spec", image.FastSpec, .. arguments]);
        result.ExitCode.ShouldBe(2, result.ToString());
        result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(line => !line.StartsWith("lethe: building", StringComparison.Ordinal)
            && !line.StartsWith("lethe: image", StringComparison.Ordinal) && !line.StartsWith("lethe: scanning", StringComparison.Ordinal))
            .ShouldHaveSingleItem().ShouldContain(expected);
    }

    private ChannelRequest Request(string channel) => new(ChannelLocation.Parse(channel, "/"), kit.Signers(kit.PublisherKey), null);
}
