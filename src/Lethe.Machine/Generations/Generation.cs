namespace Lethe.Machine.Generations;

public enum GenerationState
{
    /// <summary>Built or fetched, not booted yet.</summary>
    Staged,
    /// <summary>Reached ready at least once.</summary>
    Good,
    /// <summary>Failed to reach ready; never chosen again by itself (only by an explicit rollback to it).</summary>
    Bad,
}

/// <summary>
/// One image a machine boots, with what it was made from. The kernel and initramfs digests are the reboot triggers:
/// a generation that changes them is never applied without a reboot the user asked for.
/// </summary>
public sealed record Generation(
    int Number,
    string ImageDigest,
    string KernelDigest,
    string InitramfsDigest,
    string KernelRelease,
    string SpecDigest,
    string? LockDigest,
    string? SourceRevision,
    DateTimeOffset Created,
    GenerationState State = GenerationState.Staged,
    string? Failure = null);

/// <summary>What a generation is made of, before it has a number.</summary>
public sealed record GenerationCandidate(
    string ImageDigest,
    string KernelDigest,
    string InitramfsDigest,
    string KernelRelease,
    string SpecDigest,
    string? LockDigest,
    string? SourceRevision);
