using System.Text.Json.Serialization;

namespace Lethe.Protocol.Boot;

/// <summary>
/// The one vocabulary of what the guest's root does: the mounts that make the root, the persist binds
/// and ownership fixes, and lethe's own checks at run time (canaries, persist gc). Planners (pure) say
/// which steps; the guest's one interpreter carries them out, without following links in any path a
/// user could have touched. Steps that travel (run time) are JSON; see <see cref="StepJson"/>.
/// </summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "step")]
[JsonDerivedType(typeof(Mount), "mount")]
[JsonDerivedType(typeof(MoveMount), "move-mount")]
[JsonDerivedType(typeof(BindFolder), "bind-folder")]
[JsonDerivedType(typeof(ChangeOwner), "change-owner")]
[JsonDerivedType(typeof(MakeDirectory), "make-directory")]
[JsonDerivedType(typeof(CreateDirectory), "create-directory")]
[JsonDerivedType(typeof(CreateEmptyFile), "create-empty-file")]
[JsonDerivedType(typeof(CopyFromImage), "copy-from-image")]
[JsonDerivedType(typeof(SetOwnership), "set-ownership")]
[JsonDerivedType(typeof(BindMount), "bind-mount")]
[JsonDerivedType(typeof(WriteNewFile), "write-new-file")]
[JsonDerivedType(typeof(ReadEntry), "read-entry")]
[JsonDerivedType(typeof(RemoveEntry), "remove-entry")]
public abstract record BootStep;

// Putting the root together, in the initramfs (see MountPlan, WorkspacePlan).

/// <summary>A bind mount between folders of the initramfs and the new root (not the persist binds).</summary>
public sealed record BindFolder(string Source, string Target) : BootStep;
public sealed record ChangeOwner(string Path, int Uid, int Gid) : BootStep;
public sealed record Mount(string Source, string Target, string FsType, MountOptions Options, string? Data = null) : BootStep;
public sealed record MoveMount(string Source, string Target) : BootStep;
public sealed record MakeDirectory(string Path, int Mode) : BootStep;

// Keeping the allowlist, in the new root before any user process (see PersistPlan).

/// <summary>Creates a missing folder with exactly this owner and mode.</summary>
public sealed record CreateDirectory(string Path, Ownership Ownership) : BootStep;

/// <summary>Creates a missing, empty file with exactly this owner and mode.</summary>
public sealed record CreateEmptyFile(string Path, Ownership Ownership) : BootStep;

/// <summary>Copies the image's file or folder to a missing target, keeping owners, modes, symlinks and timestamps (cp -a).</summary>
public sealed record CopyFromImage(string Source, string Target) : BootStep;

/// <summary>Gives an existing file or folder the spec's owner and/or mode; null parts stay as they are. Never through a link.</summary>
public sealed record SetOwnership(string Path, int? Uid, int? Gid, int? Mode) : BootStep;

/// <summary>Bind-mounts the kept copy on the persist disk over the path in the root.</summary>
public sealed record BindMount(string Source, string Target) : BootStep;

// lethe's checks in a running machine, where users have had their turn (verify, persist gc).

/// <summary>Creates a new file (never an existing one, never through a link) with this content, owner and mode.</summary>
public sealed record WriteNewFile(string Path, Ownership Ownership, string Content) : BootStep;

/// <summary>Reports what is at a path (lstat) and, for a regular file, its content: never through a link.</summary>
public sealed record ReadEntry(string Path) : BootStep;

/// <summary>
/// Deletes a file, link or whole folder that lies strictly below <paramref name="Within"/>; links are
/// removed, never followed, and nothing on another filesystem is touched.
/// </summary>
public sealed record RemoveEntry(string Path, string Within) : BootStep;

/// <summary>What one step did: whether it worked, why not, and for <see cref="ReadEntry"/> what was found.</summary>
public sealed record StepOutcome(bool Ok, string? Error = null, PathFacts? Facts = null, string? Content = null)
{
    public static readonly StepOutcome Done = new(true);
}

public sealed record StepBatch(IReadOnlyList<BootStep> Steps);

public sealed record StepReport(IReadOnlyList<StepOutcome> Outcomes);
