namespace Lethe.Machine.SignedChannel;

/// <summary>The last generation a consumer accepted from a channel: what a newer manifest is compared with.</summary>
public sealed record ChannelPosition(long Version, string ImageDigest);

public enum ChannelVerdict
{
    /// <summary>A newer version: fetch, check and install it.</summary>
    Accept,
    /// <summary>The version and image already accepted.</summary>
    UpToDate,
}

/// <summary>Pure decisions of the channel's two sides: the publisher's next version and expiry, and whether a
/// verified manifest may be taken (TUF's rules against rollback and freeze attacks).</summary>
public static class ChannelPolicy
{
    public static readonly TimeSpan DefaultLifetime = TimeSpan.FromDays(7);

    /// <summary>1 for a new channel, else the previous manifest's version + 1.</summary>
    public static long NextVersion(ChannelManifest? previous) => previous is null ? 1 : checked(previous.Version + 1);

    public static ChannelManifest Manifest(ChannelManifest? previous, DateTimeOffset now, TimeSpan lifetime, ChannelGeneration generation)
    {
        if (lifetime <= TimeSpan.Zero)
            throw new ArgumentOutOfRangeException(nameof(lifetime), "a manifest's lifetime must be positive");
        var published = new DateTimeOffset(now.UtcTicks - now.UtcTicks % TimeSpan.TicksPerSecond, TimeSpan.Zero);
        return new ChannelManifest(ChannelLayout.Schema, NextVersion(previous), published, published + lifetime, generation);
    }

    /// <summary>Whether a manifest whose signature verified may be taken; a refusal otherwise (one line).</summary>
    public static ChannelVerdict Decide(ChannelManifest manifest, ChannelPosition? accepted, DateTimeOffset now)
    {
        if (manifest.Expires <= now)
            throw new ChannelRefusedException(ChannelRefusal.Expired,
                $"the manifest (version {manifest.Version}) expired at {manifest.Expires:u}; the publisher must publish again");
        if (accepted is null || manifest.Version > accepted.Version)
            return ChannelVerdict.Accept;
        if (manifest.Version == accepted.Version && manifest.Generation.ImageDigest == accepted.ImageDigest)
            return ChannelVerdict.UpToDate;
        if (manifest.Version == accepted.Version)
            throw new ChannelRefusedException(ChannelRefusal.Rollback,
                $"version {manifest.Version} now names image {manifest.Generation.ImageDigest[..12]}, but it named {accepted.ImageDigest[..Math.Min(12, accepted.ImageDigest.Length)]} when accepted");
        throw new ChannelRefusedException(ChannelRefusal.Rollback,
            $"version {manifest.Version} is older than version {accepted.Version}, already accepted (a replayed or rolled-back manifest)");
    }
}
