namespace Lethe.Protocol.Boot;

/// <summary>One thing the guest does to keep an allowlisted path; see <see cref="PersistPlan"/>.</summary>
public abstract record PersistStep;

/// <summary>Creates a missing folder with exactly this owner and mode.</summary>
public sealed record CreateDirectory(string Path, Ownership Ownership) : PersistStep;

/// <summary>Creates a missing, empty file with exactly this owner and mode.</summary>
public sealed record CreateEmptyFile(string Path, Ownership Ownership) : PersistStep;

/// <summary>Copies the image's file or folder to a missing target, keeping owners, modes, symlinks and timestamps (cp -a).</summary>
public sealed record CopyFromImage(string Source, string Target) : PersistStep;

/// <summary>Gives an existing path the spec's owner and/or mode; null parts stay as they are. Does not follow symlinks.</summary>
public sealed record SetOwnership(string Path, int? Uid, int? Gid, int? Mode) : PersistStep;

/// <summary>Bind-mounts the kept copy on the persist disk over the path in the root.</summary>
public sealed record BindMount(string Source, string Target) : PersistStep;
