namespace Lethe.Protocol.Boot;

/// <summary>Builds a <see cref="PersistPlan"/>; remembers what it has planned to create so that entries sharing parents create them once.</summary>
internal sealed class PersistPlanner(GuestUser user, Func<string, PathFacts?> lstat, Func<string, OwnerIds?> resolveOwner)
{
    private readonly List<BootStep> _steps = [];
    private readonly List<string> _problems = [];
    private readonly Dictionary<string, PathFacts> _created = new(StringComparer.Ordinal);

    public PersistPlan Plan(IReadOnlyList<PersistPath> entries)
    {
        var accepted = new List<string>();
        foreach (var entry in entries)
        {
            var problem = PersistPathCheck.Problem(entry.GuestPath, accepted) ?? EntryProblem(entry);
            if (problem is not null)
            {
                _problems.Add($"{entry.GuestPath}: {problem}");
                continue;
            }
            accepted.Add(entry.GuestPath);
            PlanEntry(entry);
        }
        return new PersistPlan(_steps, _problems);
    }

    /// <summary>What is at a path once the steps planned so far have run.</summary>
    private PathFacts? Facts(string path) => _created.TryGetValue(path, out var facts) ? facts : lstat(path);

    private static string Backing(string kept) => SeedLayout.PersistData + kept;

    private string? EntryProblem(PersistPath entry)
    {
        var kept = entry.GuestPath;
        var image = lstat(kept);
        var saved = lstat(Backing(kept));
        if (entry.Owner is { } owner && resolveOwner(owner) is null)
            return $"owner '{owner}' is not a user in the machine's /etc/passwd";
        foreach (var parent in PersistPathCheck.Parents(kept))
        {
            if (Facts(parent) is { Kind: PathKind.File or PathKind.Other })
                return $"{parent} is a file in the image, not a folder";
            if (Facts(Backing(parent)) is { Kind: not PathKind.Directory })
                return $"{Backing(parent)} on the persist disk is not a folder";
        }
        if (image?.Kind == PathKind.Symlink)
            return "it is a symbolic link in the image; keep the path it points to instead";
        if (image?.Kind == PathKind.Other)
            return "it is a device, FIFO or socket in the image; only files and folders can be kept";
        if (saved?.Kind is PathKind.Symlink or PathKind.Other)
            return $"{Backing(kept)} on the persist disk is neither a file nor a folder";
        if (image is not null && saved is not null && image.Kind != saved.Kind)
            return $"it is a {Name(image.Kind)} in the image but a {Name(saved.Kind)} on the persist disk";
        if (Wanted(entry.Kind) is { } wanted && (saved ?? image) is { } actual && actual.Kind != wanted)
            return $"the spec says type: {(wanted == PathKind.File ? "file" : "dir")}, but it is a {Name(actual.Kind)} {(saved is null ? "in the image" : "on the persist disk")}";
        return null;
    }

    private void PlanEntry(PersistPath entry)
    {
        var kept = entry.GuestPath;
        var backing = Backing(kept);
        var image = lstat(kept);
        var saved = lstat(backing);
        var kind = saved?.Kind ?? image?.Kind ?? Wanted(entry.Kind) ?? PathKind.Directory;
        var ids = entry.Owner is { } owner ? resolveOwner(owner) : null;

        CreateParents(kept);

        var before = saved?.Ownership ?? image?.Ownership;
        if (before is null)
        {
            var defaults = PersistDefaults.For(kept, kind, user, entry.InHome);
            before = new Ownership(ids?.Uid ?? defaults.Uid, ids?.Gid ?? defaults.Gid, entry.Mode ?? defaults.Mode);
            Create(backing, kind, before);
        }
        else
        {
            if (saved is null)
                _steps.Add(new CopyFromImage(kept, backing));
            if (ids is not null || entry.Mode is not null)
                _steps.Add(new SetOwnership(backing, ids?.Uid, ids?.Gid, entry.Mode));
        }

        if (image is null)
        {
            var shown = new Ownership(ids?.Uid ?? before.Uid, ids?.Gid ?? before.Gid, entry.Mode ?? before.Mode);
            Create(kept, kind, shown);
        }
        _steps.Add(new BindMount(backing, kept));
    }

    /// <summary>Top down: each missing parent of the kept path, and its mirror on the disk.</summary>
    private void CreateParents(string kept)
    {
        foreach (var parent in PersistPathCheck.Parents(kept))
        {
            var facts = Facts(parent);
            var ownership = facts is { Kind: PathKind.Directory }
                ? facts.Ownership
                : PersistDefaults.For(parent, PathKind.Directory, user);
            if (facts is null)
                Create(parent, PathKind.Directory, ownership);
            if (Facts(Backing(parent)) is null)
                Create(Backing(parent), PathKind.Directory, ownership);
        }
    }

    private void Create(string path, PathKind kind, Ownership ownership)
    {
        _steps.Add(kind == PathKind.Directory ? new CreateDirectory(path, ownership) : new CreateEmptyFile(path, ownership));
        _created[path] = new PathFacts(kind, ownership.Uid, ownership.Gid, ownership.Mode);
    }

    private static PathKind? Wanted(PersistKind kind) => kind switch
    {
        PersistKind.File => PathKind.File,
        PersistKind.Directory => PathKind.Directory,
        _ => null,
    };

    private static string Name(PathKind kind) => kind == PathKind.Directory ? "folder" : "file";
}
