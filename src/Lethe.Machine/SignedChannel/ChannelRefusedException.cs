using Lethe.Core;

namespace Lethe.Machine.SignedChannel;

/// <summary>Why a channel was refused.</summary>
public enum ChannelRefusal
{
    /// <summary>channel.json.sig is missing.</summary>
    Unsigned,
    /// <summary>The signature does not verify against the pinned allowed signers.</summary>
    BadSignature,
    /// <summary>An older version, or the accepted version with another image (replay, rollback).</summary>
    Rollback,
    /// <summary>The manifest's expiry has passed (freeze).</summary>
    Expired,
    /// <summary>Not a manifest this lethe reads (schema, fields, names).</summary>
    BadManifest,
    /// <summary>An image file's size or sha256 differs from the signed manifest.</summary>
    Tampered,
}

/// <summary>A channel lethe will not accept: one line, exit status 1. Nothing was installed.</summary>
public sealed class ChannelRefusedException(ChannelRefusal reason, string message)
    : LetheException($"channel refused: {message}", ExitCodes.Failure)
{
    public ChannelRefusal Reason { get; } = reason;
}
