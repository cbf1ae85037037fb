using Lethe.Image.Cpio;
using Lethe.Protocol;
using Lethe.Protocol.Modules;

namespace Lethe.Image.Initramfs;

/// <param name="GuestInitBinary">Host path of the guest init, stored as /init.</param>
/// <param name="HostLibraries">Absolute host paths of the libraries it needs, stored at the same paths.</param>
/// <param name="ModuleFolder">Host folder in which the table's relative module paths resolve.</param>
public sealed record InitramfsInputs(
    string GuestInitBinary,
    IReadOnlyList<string> HostLibraries,
    ModuleTable Modules,
    string ModuleFolder,
    string KernelRelease);

/// <summary>What goes into the cached initramfs, in archive order (pure).</summary>
public static class InitramfsLayout
{
    /// <summary>Mount points and folders the guest init expects to find.</summary>
    public static readonly IReadOnlyList<string> Folders = ["dev", "proc", "sys", "run", "newroot", "lower", "rw", "lethe"];

    private const int Executable = 0b111_101_101;
    private const int Readable = 0b110_100_100;

    public static IReadOnlyList<ArchiveEntry> Plan(InitramfsInputs inputs)
    {
        var entries = new Dictionary<string, ArchiveEntry>(StringComparer.Ordinal);
        void Add(ArchiveEntry entry) => entries[CpioWriter.ArchivePath(entry.Path)] = entry with { Path = CpioWriter.ArchivePath(entry.Path) };

        foreach (var folder in Folders)
            Add(new ArchiveDirectory(folder));
        // Without it the kernel starts PID 1 with no stdin/stdout ("unable to open an initial console").
        Add(new ArchiveCharacterDevice("dev/console", 5, 1));
        Add(new ArchiveHostFile(SeedLayout.InitPath, inputs.GuestInitBinary, Executable));
        foreach (var library in inputs.HostLibraries)
            Add(new ArchiveHostFile(library, library, Executable));
        Add(new ArchiveText(SeedLayout.ModulesPath, inputs.Modules.Format(), Readable));
        foreach (var module in inputs.Modules.Entries)
            Add(new ArchiveHostFile($"lib/modules/{inputs.KernelRelease}/{module.Path}", Path.Combine(inputs.ModuleFolder, module.Path), Readable));

        foreach (var path in entries.Keys.ToList())
        {
            for (var slash = path.LastIndexOf('/'); slash > 0; slash = path.LastIndexOf('/', slash - 1))
                entries.TryAdd(path[..slash], new ArchiveDirectory(path[..slash]));
        }
        // Ordinal order puts every folder before what it holds (a parent is a prefix of its children).
        return [.. entries.OrderBy(pair => pair.Key, StringComparer.Ordinal).Select(pair => pair.Value)];
    }
}
