using Lethe.Core;

namespace Lethe.Machine.SignedChannel;

/// <summary>Where a channel lives: a folder, or an http:// or https:// URL (its folder; channel.json is inside).</summary>
public sealed record ChannelLocation(string? Folder, Uri? Url)
{
    /// <summary>Pure: a URL with another scheme is a usage error; anything without a scheme is a folder.</summary>
    public static ChannelLocation Parse(string text, string currentDirectory)
    {
        if (text.Contains("://", StringComparison.Ordinal))
        {
            if (!Uri.TryCreate(text, UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https"))
                throw new UsageException($"channel {text}: a channel is a folder or an http:// or https:// URL");
            if (!string.IsNullOrEmpty(url.Query) || !string.IsNullOrEmpty(url.Fragment))
                throw new UsageException($"channel {text}: give the channel's folder URL, without a query or fragment");
            return new ChannelLocation(null, url.AbsolutePath.EndsWith('/') ? url : new Uri(url + "/"));
        }
        return new ChannelLocation(Path.GetFullPath(text, currentDirectory), null);
    }

    public string Resolve(string relative) => Url is { } url ? new Uri(url, relative).ToString() : Path.Combine(Folder!, relative);

    public override string ToString() => Url?.ToString() ?? Folder!;
}
