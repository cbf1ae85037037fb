namespace Lethe.Protocol.Modules;

/// <summary>One kernel module the initramfs carries.</summary>
/// <param name="Name">Normalized module name ('-' written as '_').</param>
/// <param name="Path">File relative to <c>/lib/modules/&lt;kernel release&gt;/</c>, as in modules.dep.</param>
/// <param name="Dependencies">Names of the modules that must be loaded before this one.</param>
public sealed record ModuleEntry(string Name, string Path, IReadOnlyList<string> Dependencies);

/// <summary>
/// The initramfs file <see cref="SeedLayout.ModulesPath"/>: one line per module,
/// <c>name&lt;TAB&gt;relative/path.ko&lt;TAB&gt;dep1,dep2</c>, in load order (every dependency is listed before
/// the modules that need it). Written by the image builder, read by the guest init.
/// </summary>
public sealed class ModuleTable
{
    private readonly Dictionary<string, ModuleEntry> byName;

    public ModuleTable(IEnumerable<ModuleEntry> entries)
    {
        var ordered = new List<ModuleEntry>();
        byName = new Dictionary<string, ModuleEntry>(StringComparer.Ordinal);
        foreach (var entry in entries)
        {
            var normalized = entry with
            {
                Name = NormalizeName(entry.Name),
                Dependencies = [.. entry.Dependencies.Select(NormalizeName)],
            };
            if (normalized.Name.Length == 0 || normalized.Path.Length == 0)
                throw new FormatException("a module needs a name and a path");
            if (byName.ContainsKey(normalized.Name))
                throw new FormatException($"module {normalized.Name} is listed twice");
            foreach (var dependency in normalized.Dependencies)
            {
                if (!byName.ContainsKey(dependency))
                    throw new FormatException($"module {normalized.Name} needs {dependency}, which is not listed before it");
            }
            byName.Add(normalized.Name, normalized);
            ordered.Add(normalized);
        }
        Entries = ordered;
    }

    /// <summary>All modules, in load order.</summary>
    public IReadOnlyList<ModuleEntry> Entries { get; }

    public bool Contains(string name) => byName.ContainsKey(NormalizeName(name));

    /// <summary>Module names are compared the way the kernel does: '-' and '_' are the same.</summary>
    public static string NormalizeName(string name) => name.Trim().Replace('-', '_');

    public static ModuleTable Parse(string text)
    {
        var entries = new List<ModuleEntry>();
        var lineNumber = 0;
        foreach (var rawLine in text.Split('\n'))
        {
            lineNumber++;
            var line = rawLine.TrimEnd('\r');
            if (line.Trim().Length == 0 || line.StartsWith('#'))
                continue;
            var fields = line.Split('\t');
            if (fields.Length is < 2 or > 3)
                throw new FormatException($"modules line {lineNumber}: expected name<TAB>path<TAB>dependencies");
            var dependencies = fields.Length == 3
                ? fields[2].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                : [];
            entries.Add(new ModuleEntry(fields[0], fields[1].Trim(), dependencies));
        }
        return new ModuleTable(entries);
    }

    public string Format()
    {
        var text = new System.Text.StringBuilder();
        foreach (var entry in Entries)
            text.Append(entry.Name).Append('\t').Append(entry.Path).Append('\t')
                .Append(string.Join(',', entry.Dependencies)).Append('\n');
        return text.ToString();
    }

    /// <summary>
    /// The modules to load for <paramref name="wantedNames"/>: those and everything they depend on, each
    /// once, dependencies first. Names the table does not list are skipped: they are built into the kernel.
    /// </summary>
    public IReadOnlyList<ModuleEntry> LoadOrder(IEnumerable<string> wantedNames)
    {
        var needed = new HashSet<string>(StringComparer.Ordinal);
        var pending = new Stack<string>(wantedNames.Select(NormalizeName));
        while (pending.TryPop(out var name))
        {
            if (!byName.TryGetValue(name, out var entry) || !needed.Add(name))
                continue;
            foreach (var dependency in entry.Dependencies)
                pending.Push(dependency);
        }
        // The table itself is in load order, so filtering it keeps dependencies first.
        return [.. Entries.Where(entry => needed.Contains(entry.Name))];
    }
}
