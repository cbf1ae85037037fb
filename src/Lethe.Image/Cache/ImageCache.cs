namespace Lethe.Image.Cache;

/// <summary>
/// The content-addressed image cache: <c>&lt;images&gt;/&lt;digest&gt;/</c> for image sets and
/// <c>&lt;images&gt;/rootfs/&lt;key&gt;/</c> for root file systems. A folder appears by one rename when it is
/// complete, so a killed build never leaves something that looks finished.
/// </summary>
public sealed class ImageCache(string imagesFolder)
{
    private const string WorkPrefix = ".tmp-";
    private const string OwnerFileName = ".owner";

    public string Root { get; } = imagesFolder;

    public string ImageFolder(string digest) => Path.Combine(Root, digest);
    public string RootfsFolder(string rootfsKey) => Path.Combine(Root, "rootfs", rootfsKey);

    public ImageSet? TryLoadImage(string digest) => ImageSetFolder.TryLoad(ImageFolder(digest));
    public RootfsPart? TryLoadRootfs(string rootfsKey) => RootfsPart.TryLoad(RootfsFolder(rootfsKey));

    /// <summary>A private folder for one build, next to where its result goes (so that publishing is a rename).</summary>
    public WorkFolder CreateWorkFolder()
    {
        Directory.CreateDirectory(Root);
        var path = Path.Combine(Root, WorkPrefix + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(path);
        var owner = new FileStream(Path.Combine(path, OwnerFileName), FileMode.CreateNew, FileAccess.Write, FileShare.None);
        return new WorkFolder(path, owner);
    }

    /// <summary>Moves a finished folder into place, replacing an older one (forced rebuilds).</summary>
    public static async Task PublishAsync(string finishedFolder, string destination)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
        if (Directory.Exists(destination))
        {
            var retired = finishedFolder + ".old";
            Directory.Move(destination, retired);
            Directory.Move(finishedFolder, destination);
            await TreeRemover.RemoveAsync(retired).ConfigureAwait(false);
            return;
        }
        Directory.Move(finishedFolder, destination);
    }

    /// <summary>Removes work folders whose build is gone (their owner lock is free).</summary>
    public async Task RemoveStaleWorkFoldersAsync(CancellationToken cancellationToken)
    {
        if (!Directory.Exists(Root))
            return;
        foreach (var folder in Directory.EnumerateDirectories(Root, WorkPrefix + "*"))
        {
            if (IsAbandoned(folder))
                await TreeRemover.RemoveAsync(folder, cancellationToken).ConfigureAwait(false);
        }
    }

    private static bool IsAbandoned(string folder)
    {
        var owner = Path.Combine(folder, OwnerFileName);
        if (!File.Exists(owner))
            return Directory.GetLastWriteTimeUtc(folder) < DateTime.UtcNow.AddMinutes(-10);
        try
        {
            // FileShare.None takes an exclusive flock; it fails while the building process holds its own.
            using var probe = new FileStream(owner, FileMode.Open, FileAccess.Read, FileShare.None);
            return true;
        }
        catch (IOException)
        {
            return false;
        }
    }

    /// <summary>Serializes builds of the same recipe across processes (an flock on a lock file).</summary>
    public async Task<IDisposable> AcquireBuildLockAsync(string name, Action onWait, CancellationToken cancellationToken)
    {
        var locks = Path.Combine(Root, ".locks");
        Directory.CreateDirectory(locks);
        var path = Path.Combine(locks, name + ".lock");
        var waited = false;
        while (true)
        {
            try
            {
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException)
            {
                if (!waited)
                    onWait();
                waited = true;
                await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken).ConfigureAwait(false);
            }
        }
    }
}

/// <summary>A build's private folder; disposing deletes it (and releases its owner lock).</summary>
public sealed class WorkFolder(string path, FileStream owner) : IAsyncDisposable
{
    public string Path { get; } = path;

    public string Sub(string name) => System.IO.Path.Combine(Path, name);

    public async ValueTask DisposeAsync()
    {
        await TreeRemover.RemoveAsync(Path).ConfigureAwait(false);
        await owner.DisposeAsync().ConfigureAwait(false);
    }
}
