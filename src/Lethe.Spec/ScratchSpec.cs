namespace Lethe.Spec;

/// <summary>An encrypted scratch disk; <see cref="Overlay"/> puts the root overlay's upper layer on it.</summary>
public sealed record ScratchSpec(long SizeMiB, bool Overlay = false);
