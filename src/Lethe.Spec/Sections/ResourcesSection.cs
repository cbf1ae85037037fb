using Lethe.Spec.Reading;
using YamlDotNet.RepresentationModel;

namespace Lethe.Spec.Sections;

internal sealed class ResourcesSection : ISpecSection
{
    public const int MinMemoryMiB = 256;
    public const int MaxMemoryMiB = 65536;
    public const int MinCpus = 1;
    public const int MaxCpus = 64;

    private static readonly string MemoryForm =
        $"an integer number of MiB ({MinMemoryMiB}..{MaxMemoryMiB}) or a size like \"2G\"";

    public string Key => "resources";

    public MachineSpec Read(YamlNode value, MachineSpec spec, NodeReader reader)
    {
        var resources = spec.Resources;
        reader.Fields(value, Key,
        [
            new("memory", (node, path) =>
            {
                if (TryMemory(node, path, reader, out var mib))
                    resources = resources with { MemoryMiB = mib };
            }),
            new("cpus", (node, path) =>
            {
                if (reader.TryInteger(node, path, MinCpus, MaxCpus, out var cpus))
                    resources = resources with { Cpus = cpus };
            }),
        ]);
        return spec with { Resources = resources };
    }

    private static bool TryMemory(YamlNode node, string path, NodeReader reader, out int mib)
    {
        mib = 0;
        return SizeReader.TryMiB(reader, node, path, MemoryForm, out var requested)
            && reader.TryInRange(node, path, requested, MinMemoryMiB, MaxMemoryMiB, " MiB", out mib);
    }
}
