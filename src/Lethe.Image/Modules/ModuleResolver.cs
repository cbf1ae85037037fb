using Lethe.Core;
using Lethe.Protocol.Modules;

namespace Lethe.Image.Modules;

/// <summary>
/// Turns a kernel's <c>modules.dep</c> and <c>modules.builtin</c> into the <see cref="ModuleTable"/> the
/// initramfs carries: the wanted modules and everything they need, dependencies first.
/// </summary>
public static class ModuleResolver
{
    public static ModuleTable Resolve(string modulesDep, string modulesBuiltin, IEnumerable<WantedModule> wanted) =>
        Resolve(modulesDep, modulesBuiltin, wanted, WantedModules.SoftDependencies);

    public static ModuleTable Resolve(
        string modulesDep,
        string modulesBuiltin,
        IEnumerable<WantedModule> wanted,
        IReadOnlyDictionary<string, IReadOnlyList<string>> softDependencies)
    {
        var available = ParseModulesDep(modulesDep);
        var builtin = ParseBuiltin(modulesBuiltin);
        var ordered = new List<ModuleEntry>();
        var placed = new HashSet<string>(StringComparer.Ordinal);
        var visiting = new HashSet<string>(StringComparer.Ordinal);

        void Visit(string name)
        {
            if (placed.Contains(name))
                return;
            if (!visiting.Add(name))
                throw new LetheException($"kernel modules depend on each other in a cycle through {name}");
            var (path, hardDependencies) = available[name];
            var soft = softDependencies.TryGetValue(name, out var extra)
                ? extra.Select(ModuleTable.NormalizeName).Where(available.ContainsKey)
                : [];
            // modules.dep lists a module's whole dependency closure; soft ones go first, as modprobe's "pre:".
            var dependencies = soft.Concat(hardDependencies).Distinct(StringComparer.Ordinal).ToList();
            foreach (var dependency in dependencies)
            {
                if (!available.ContainsKey(dependency))
                    throw new LetheException($"kernel module {name} needs {dependency}, which modules.dep does not list");
                Visit(dependency);
            }
            visiting.Remove(name);
            placed.Add(name);
            ordered.Add(new ModuleEntry(name, path, dependencies));
        }

        foreach (var module in wanted)
        {
            var name = ModuleTable.NormalizeName(module.Name);
            if (available.ContainsKey(name))
                Visit(name);
            else if (!builtin.Contains(name) && !module.Optional)
                throw new LetheException($"the image's kernel has no module {name} (neither in modules.dep nor built in)");
        }
        return new ModuleTable(ordered);
    }

    /// <summary>modules.dep lines: <c>kernel/fs/erofs/erofs.ko: kernel/lib/libcrc32c.ko</c>.</summary>
    public static IReadOnlyDictionary<string, (string Path, IReadOnlyList<string> Dependencies)> ParseModulesDep(string text)
    {
        var modules = new Dictionary<string, (string, IReadOnlyList<string>)>(StringComparer.Ordinal);
        foreach (var rawLine in text.Split('\n'))
        {
            var line = rawLine.Trim();
            var colon = line.IndexOf(':');
            if (line.Length == 0 || line.StartsWith('#') || colon < 0)
                continue;
            var path = line[..colon].Trim();
            var dependencies = line[(colon + 1)..]
                .Split(' ', StringSplitOptions.RemoveEmptyEntries)
                .Select(NameOf)
                .ToList();
            modules[NameOf(path)] = (path, dependencies);
        }
        return modules;
    }

    public static IReadOnlySet<string> ParseBuiltin(string text) =>
        text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(line => !line.StartsWith('#'))
            .Select(NameOf)
            .ToHashSet(StringComparer.Ordinal);

    /// <summary><c>kernel/drivers/md/dm-crypt.ko</c> (or .ko.xz, .ko.zst, .ko.gz) → <c>dm_crypt</c>.</summary>
    public static string NameOf(string modulePath)
    {
        var file = modulePath[(modulePath.LastIndexOf('/') + 1)..];
        var extension = file.IndexOf(".ko", StringComparison.Ordinal);
        return ModuleTable.NormalizeName(extension >= 0 ? file[..extension] : file);
    }
}
