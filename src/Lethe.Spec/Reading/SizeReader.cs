using YamlDotNet.RepresentationModel;

namespace Lethe.Spec.Reading;

/// <summary>Reads sizes written as an integer number of MiB or as text like "4G" (whole MiB only).</summary>
internal static class SizeReader
{
    private const long MiBPerGiB = 1024;
    private const long MiBPerTiB = 1024 * 1024;

    public static bool TryMiB(NodeReader reader, YamlNode node, string path, string form, out long mib)
    {
        mib = 0;
        if (!reader.TryScalar(node, path, form, out var text))
            return false;
        if (NodeReader.TryParseInteger(text, out mib))
            return true;
        if (SizeText.TryParseBytes(text, out var bytes) && bytes % SizeText.MiB == 0)
        {
            mib = bytes / SizeText.MiB;
            return true;
        }
        reader.ReportExpected(node, path, form);
        return false;
    }

    /// <summary>A disk size within <paramref name="minMiB"/>..<paramref name="maxMiB"/>; messages show sizes as "64M", "1T".</summary>
    public static bool TryDiskMiB(NodeReader reader, YamlNode node, string path, string example, long minMiB, long maxMiB, out long mib)
    {
        var form = $"a size like \"{example}\" ({Show(minMiB)}..{Show(maxMiB)}) or an integer number of MiB";
        if (!TryMiB(reader, node, path, form, out mib))
            return false;
        if (mib >= minMiB && mib <= maxMiB)
            return true;
        reader.Report(node, $"{path}: {Show(mib)} is out of range {Show(minMiB)}..{Show(maxMiB)}");
        return false;
    }

    /// <summary>"512M", "4G", "1T": the largest unit that shows the size exactly.</summary>
    public static string Show(long mib) => mib switch
    {
        0 => "0M",
        _ when mib % MiBPerTiB == 0 => $"{mib / MiBPerTiB}T",
        _ when mib % MiBPerGiB == 0 => $"{mib / MiBPerGiB}G",
        _ => $"{mib}M",
    };
}
