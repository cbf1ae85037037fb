using Lethe.Spec.Reading;
using YamlDotNet.RepresentationModel;

namespace Lethe.Spec.Sections;

/// <summary>Reads the list of kept paths: each path once, and none inside another.</summary>
internal static class PersistPathsReader
{
    public const string Form = "a list of paths to keep";

    public static List<PersistEntry> Read(YamlNode node, string path, NodeReader reader)
    {
        var entries = new List<PersistEntry>();
        var keptBy = new List<(string Path, string ItemPath)>();
        foreach (var (item, itemPath) in reader.Items(node, path, Form))
        {
            if (PersistEntryReader.Read(item, itemPath, reader) is not { } entry)
                continue;
            if (Overlap(entry.Path, keptBy) is { } problem)
            {
                reader.Report(item, $"{itemPath}: {problem}");
                continue;
            }
            keptBy.Add((entry.Path, itemPath));
            entries.Add(entry);
        }
        return entries;
    }

    private static string? Overlap(string path, List<(string Path, string ItemPath)> keptBy)
    {
        foreach (var (kept, itemPath) in keptBy)
        {
            if (kept == path)
                return $"'{path}' is already listed at {itemPath}";
            if (path.StartsWith(kept + "/", StringComparison.Ordinal))
                return $"'{path}' is already kept by {itemPath} ('{kept}')";
            if (kept.StartsWith(path + "/", StringComparison.Ordinal))
                return $"'{path}' contains '{kept}', already kept by {itemPath}; list only one of them";
        }
        return null;
    }
}
