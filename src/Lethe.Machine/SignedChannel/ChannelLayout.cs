using Lethe.Image;

namespace Lethe.Machine.SignedChannel;

/// <summary>Names inside a channel (a folder or a URL prefix): the manifest, its signature, and the image files.</summary>
public static class ChannelLayout
{
    public const string ManifestName = "channel.json";
    public const string SignatureName = "channel.json.sig";
    /// <summary>The ssh-keygen -Y namespace: a signature made for anything else (git commits, files) never verifies here.</summary>
    public const string Namespace = "lethe-channel";
    /// <summary>The principal the consumer verifies against in its allowed signers.</summary>
    public const string Principal = "lethe-channel";
    public const int Schema = 1;

    /// <summary>The image files a generation carries, in the order they are fetched.</summary>
    public static IReadOnlyList<string> ImageFileNames => ImageFiles.Compared;

    /// <summary>The relative path of one image file; the manifest never names paths, so none can escape.</summary>
    public static string ImageFile(string imageDigest, string name) => $"images/{imageDigest}/{name}";
}
