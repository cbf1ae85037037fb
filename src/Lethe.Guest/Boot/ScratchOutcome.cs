namespace Lethe.Guest.Boot;

/// <summary>
/// What became of the encrypted scratch disk. <see cref="Failure"/> is null when it is mounted; else it
/// is one line saying why not, and nothing is left mapped or mounted (the caller mounts RAM there
/// instead). The times are those of each part, for the boot timeline's "scratch" phase.
/// </summary>
internal sealed record ScratchOutcome(string? MappedDevice, string? Failure, long MapMs, long MkfsMs, long MountMs)
{
    public bool Encrypted => Failure is null;

    public long TotalMs => MapMs + MkfsMs + MountMs;

    public string Summary => Encrypted
        ? $"scratch: {MappedDevice} (aes-xts-plain64, key in RAM only): map {MapMs} ms, mkfs {MkfsMs} ms, mount {MountMs} ms"
        : $"scratch: no encrypted disk ({Failure}); using RAM instead";
}

/// <summary>Tunables of <see cref="ScratchSetup"/>; the defaults suit a boot.</summary>
internal sealed record ScratchOptions
{
    /// <summary>Pass discards through to the host (it can then punch holes in the sparse file, and sees which blocks are free).</summary>
    public bool AllowDiscards { get; init; }
    public TimeSpan DeviceTimeout { get; init; } = TimeSpan.FromSeconds(5);
    public TimeSpan MkfsTimeout { get; init; } = TimeSpan.FromSeconds(120);
}
