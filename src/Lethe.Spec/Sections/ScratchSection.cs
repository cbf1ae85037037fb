using Lethe.Spec.Reading;
using YamlDotNet.RepresentationModel;

namespace Lethe.Spec.Sections;

/// <summary>scratch: {size, overlay} for an encrypted scratch disk, or just its size ("scratch: 20G").</summary>
internal sealed class ScratchSection : ISpecSection
{
    public const long MinSizeMiB = 512;
    public const long MaxSizeMiB = 16L * 1024 * 1024; // 16T

    public string Key => "scratch";

    public MachineSpec Read(YamlNode value, MachineSpec spec, NodeReader reader)
    {
        if (value is YamlScalarNode)
            return TrySize(value, Key, reader, out var shorthand) ? spec with { Scratch = new ScratchSpec(shorthand) } : spec;
        if (value is not YamlMappingNode)
        {
            reader.ReportExpected(value, Key, "a size like \"20G\", or a mapping with keys size, overlay");
            return spec;
        }

        long? size = null;
        var overlay = false;
        var sizeSeen = false;
        reader.Fields(value, Key,
        [
            new("size", (node, path) =>
            {
                sizeSeen = true;
                size = TrySize(node, path, reader, out var mib) ? mib : null;
            }),
            new("overlay", (node, path) => reader.TryBoolean(node, path, out overlay)),
        ]);
        if (!sizeSeen)
            reader.Report(value, $"{Key}: missing required key 'size'");
        return size is { } sizeMiB ? spec with { Scratch = new ScratchSpec(sizeMiB, overlay) } : spec;
    }

    private static bool TrySize(YamlNode node, string path, NodeReader reader, out long mib) =>
        SizeReader.TryDiskMiB(reader, node, path, "20G", MinSizeMiB, MaxSizeMiB, out mib);
}
