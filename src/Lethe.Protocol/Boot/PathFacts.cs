namespace Lethe.Protocol.Boot;

/// <summary>What lstat says about a path, as far as the plans care.</summary>
public enum PathKind
{
    Directory,
    File,
    Symlink,
    /// <summary>A device, FIFO or socket.</summary>
    Other,
}

/// <summary>One lstat answer: the kind, the owner and the permission bits (07777) of a path.</summary>
public sealed record PathFacts(PathKind Kind, int Uid, int Gid, int Mode)
{
    [System.Text.Json.Serialization.JsonIgnore]
    public Ownership Ownership => new(Uid, Gid, Mode);
}

/// <summary>Owner, group and permission bits (07777) that a path is given.</summary>
public sealed record Ownership(int Uid, int Gid, int Mode);

/// <summary>A user id and group id, resolved from a spec owner such as "dev", "1000" or "1000:100".</summary>
public sealed record OwnerIds(int Uid, int Gid);
