using Lethe.Spec.Reading;
using YamlDotNet.RepresentationModel;

namespace Lethe.Spec.Sections;

/// <summary>persist: a plain list of kept paths, or {size, paths} to size the persist disk too.</summary>
internal sealed class PersistSection : ISpecSection
{
    public const long MinSizeMiB = 64;
    public const long MaxSizeMiB = 1024 * 1024; // 1T

    public string Key => "persist";

    public MachineSpec Read(YamlNode value, MachineSpec spec, NodeReader reader)
    {
        if (value is YamlSequenceNode)
            return spec with { Persist = spec.Persist with { Paths = PersistPathsReader.Read(value, Key, reader) } };
        if (value is not YamlMappingNode)
        {
            reader.ReportExpected(value, Key, $"{PersistPathsReader.Form}, or a mapping with keys size, paths");
            return spec;
        }

        var persist = spec.Persist;
        reader.Fields(value, Key,
        [
            new("size", (node, path) =>
            {
                if (SizeReader.TryDiskMiB(reader, node, path, "4G", MinSizeMiB, MaxSizeMiB, out var mib))
                    persist = persist with { SizeMiB = mib };
            }),
            new("paths", (node, path) => persist = persist with { Paths = PersistPathsReader.Read(node, path, reader) }),
        ]);
        return spec with { Persist = persist };
    }
}
