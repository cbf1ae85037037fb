using System.Security.Cryptography;
using Lethe.Core;
using Lethe.Machine.SignedChannel;

namespace Lethe.Tests.Integration.SignedChannel;

/// <summary>A clock the test sets.</summary>
public sealed class FixedClock(DateTimeOffset now) : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => now;
}

/// <summary>
/// What the channel tests share: two throwaway ed25519 keys, and one channel (version 1 of the shared test
/// image) published once by the real <c>lethe publish</c>; tests work on hard-linked copies of it.
/// </summary>
public sealed class ChannelKit : IAsyncDisposable
{
    private readonly SemaphoreSlim once = new(1, 1);
    private string? published;

    public string Folder { get; } = Directory.CreateTempSubdirectory("lethe-it-channel-").FullName;
    public string PublisherKey => Path.Combine(Folder, "publisher");
    public string IntruderKey => Path.Combine(Folder, "intruder");

    /// <summary>The channel folder with version 1, published on first use.</summary>
    public async Task<string> PublishedAsync(TestImage image)
    {
        await once.WaitAsync(TestContext.Current.CancellationToken);
        try
        {
            if (published is not null)
                return published;
            foreach (var key in new[] { PublisherKey, IntruderKey })
                await ExportTests.ToolAsync("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", Path.GetFileName(key), "-f", key);
            var channel = Path.Combine(Folder, "published");
            var publish = await LetheProcess.RunAsync(["publish", "--spec", image.FastSpec, "--channel", channel, "--key", PublisherKey],
                timeout: TimeSpan.FromMinutes(5));
            publish.ExitCode.ShouldBe(0, publish.ToString());
            publish.Stdout.ShouldStartWith("published version 1 of ");
            return published = channel;
        }
        finally
        {
            once.Release();
        }
    }

    /// <summary>The pinned signers of a consumer that trusts <paramref name="key"/>.</summary>
    public AllowedSigners Signers(string key) =>
        AllowedSigners.Parse($"{ChannelLayout.Principal} namespaces=\"{ChannelLayout.Namespace}\" {File.ReadAllText(key + ".pub").Trim()}", key);

    /// <summary>A copy of a channel whose image files are hard links (never write into them: replace them).</summary>
    public async Task<string> CopyAsync(string channel, string name)
    {
        var copy = Path.Combine(Folder, name);
        await ExportTests.ToolAsync("cp", "-a", "--link", channel, copy);
        return copy;
    }

    /// <summary>A consumer's lethe home with an image already in its cache: the machine's current generation.</summary>
    public static (LethePaths Paths, string Current) Consumer(string folder)
    {
        var paths = new LethePaths(Path.Combine(folder, "cache"), Path.Combine(folder, "state"), Path.Combine(folder, "run"));
        var current = Path.Combine(paths.Images, new string('c', 64));
        Directory.CreateDirectory(current);
        foreach (var name in new[] { "rootfs.erofs", "vmlinux", "initramfs.cpio", "manifest.json" })
            File.WriteAllText(Path.Combine(current, name), "current generation: " + name);
        return (paths, current);
    }

    /// <summary>Every file under the cache, with its sha256: compared before and after a refusal.</summary>
    public static Dictionary<string, string> Snapshot(LethePaths paths) =>
        Directory.EnumerateFiles(paths.Cache, "*", SearchOption.AllDirectories)
            .Where(path => !path.Contains("/.locks/", StringComparison.Ordinal))
            .ToDictionary(path => Path.GetRelativePath(paths.Cache, path), path => Sha256(path));

    public static string Sha256(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }

    public async ValueTask DisposeAsync()
    {
        once.Dispose();
        await ExportTests.ToolAsync("rm", "-rf", "--one-file-system", Folder);
    }
}
