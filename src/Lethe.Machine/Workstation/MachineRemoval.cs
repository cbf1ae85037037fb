using Lethe.Core;

namespace Lethe.Machine.Workstation;

/// <summary>One thing lethe rm removes: a path, its size, and what it takes on disk (persist disks are sparse).</summary>
public sealed record RemovalEntry(string Path, long Bytes, long AllocatedBytes);

/// <summary>What removing a stopped machine deletes: its folder under state (persist disk, logs, status), nothing else.</summary>
public sealed record RemovalPlan(string Name, string Folder, IReadOnlyList<RemovalEntry> Entries)
{
    public long Bytes => Entries.Sum(e => e.Bytes);
    public long AllocatedBytes => Entries.Sum(e => e.AllocatedBytes);
}

/// <summary>
/// lethe rm: removes a stopped machine, its persist disk and its state. It holds the machine's lock while
/// it deletes, so a concurrent up cannot start the machine halfway, and it never follows a link.
/// </summary>
public static class MachineRemoval
{
    /// <summary>What would go, or a one-line refusal (no such machine, or it is running).</summary>
    public static RemovalPlan Plan(MachineFolder folder)
    {
        if (PosixFiles.LStat(folder.Path) is not { IsDirectory: true })
            throw new LetheException($"there is no machine {folder.Name}");
        if (folder.IsRunning())
            throw new LetheException($"machine {folder.Name} is running; stop it first with: lethe down {folder.Name}");
        var entries = Directory.EnumerateFileSystemEntries(folder.Path).Order(StringComparer.Ordinal)
            .Select(Measure).OfType<RemovalEntry>().ToList();
        return new RemovalPlan(folder.Name, folder.Path, entries);
    }

    /// <summary>Deletes the machine's folder while holding its lock; links inside are removed, never followed.</summary>
    public static void Remove(MachineFolder folder)
    {
        using var machineLock = folder.TryLock()
            ?? throw new LetheException($"machine {folder.Name} is running; stop it first with: lethe down {folder.Name}");
        if (!SafeDelete.Tree(folder.Path))
            throw new LetheException($"could not remove all of {folder.Path}");
    }

    private static RemovalEntry? Measure(string path)
    {
        if (PosixFiles.LStat(path) is not { } facts)
            return null;
        if (!facts.IsDirectory)
            return new RemovalEntry(path, facts.IsLink ? 0 : facts.Size, facts.AllocatedBytes);
        var inner = Directory.EnumerateFileSystemEntries(path).Select(Measure).OfType<RemovalEntry>().ToList();
        return new RemovalEntry(path, inner.Sum(e => e.Bytes), facts.AllocatedBytes + inner.Sum(e => e.AllocatedBytes));
    }

    /// <summary>Pure: sizes as people read them (binary units, one decimal).</summary>
    public static string Size(long bytes) => bytes switch
    {
        >= 1L << 30 => $"{bytes / (double)(1L << 30):0.#} GiB",
        >= 1L << 20 => $"{bytes / (double)(1L << 20):0.#} MiB",
        >= 1L << 10 => $"{bytes / (double)(1L << 10):0.#} KiB",
        _ => $"{bytes} B",
    };

    /// <summary>Pure: the listing lethe rm shows without --yes.</summary>
    public static IReadOnlyList<string> Describe(RemovalPlan plan) =>
    [
        .. plan.Entries.Select(e => $"{e.Path}\t{Size(e.Bytes)}" + (e.AllocatedBytes < e.Bytes ? $" ({Size(e.AllocatedBytes)} on disk)" : "")),
        $"total\t{Size(plan.Bytes)} ({Size(plan.AllocatedBytes)} on disk)",
    ];
}
