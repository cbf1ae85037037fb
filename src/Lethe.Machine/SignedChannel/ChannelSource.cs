using Lethe.Core;

namespace Lethe.Machine.SignedChannel;

/// <summary>Reads a channel's files, by relative name. Nothing read is trusted until checked.</summary>
public interface IChannelSource : IDisposable
{
    /// <summary>The stream of one file, or null when the channel has no such file.</summary>
    Task<Stream?> OpenAsync(string relative, CancellationToken cancellationToken);
}

public static class ChannelSources
{
    public static IChannelSource For(ChannelLocation location, TimeSpan timeout) =>
        location.Url is { } url ? new HttpChannelSource(url, timeout) : new FolderChannelSource(location.Folder!);

    /// <summary>A small file whole (manifest, signature), or null when it is missing; a larger one is refused.</summary>
    public static async Task<byte[]?> ReadSmallAsync(this IChannelSource source, string relative, int maxBytes, CancellationToken cancellationToken)
    {
        await using var stream = await source.OpenAsync(relative, cancellationToken).ConfigureAwait(false);
        if (stream is null)
            return null;
        var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await stream.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
        {
            if (buffer.Length + read > maxBytes)
                throw new ChannelRefusedException(ChannelRefusal.BadManifest, $"{relative} is larger than {maxBytes} bytes");
            buffer.Write(chunk, 0, read);
        }
        return buffer.ToArray();
    }
}

/// <summary>A channel in a local folder. Only regular files are read (a FIFO would block forever).</summary>
public sealed class FolderChannelSource(string folder) : IChannelSource
{
    public Task<Stream?> OpenAsync(string relative, CancellationToken cancellationToken)
    {
        var path = Path.Combine(folder, relative);
        var facts = PosixFiles.Stat(path);
        if (facts is null)
            return Task.FromResult<Stream?>(null);
        if (!facts.IsRegularFile)
            throw new ChannelRefusedException(ChannelRefusal.BadManifest, $"{path} is not a regular file");
        return Task.FromResult<Stream?>(new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, useAsync: true));
    }

    public void Dispose()
    {
    }
}
