using Lethe.Spec.Reading;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Lethe.Spec.Sections;

/// <summary>Checks and normalises one kept path: "/etc/ssh/" becomes "/etc/ssh", "~//src" becomes "~/src".</summary>
internal static class PersistPathRules
{
    public const string Form = "an absolute path like /etc/ssh or a home path like ~/.ssh";

    private const string Home = "~";

    /// <summary>The normalised path, or null after reporting why it cannot be kept.</summary>
    public static string? Normalize(YamlNode node, string path, NodeReader reader)
    {
        // A plain ~ is YAML's null; here it can only mean the home folder.
        var written = node is YamlScalarNode { Style: ScalarStyle.Plain, Value: Home } ? Home : null;
        if (written is null && !reader.TryScalar(node, path, Form, out written))
            return null;
        var inHome = written == Home || written.StartsWith(Home + "/", StringComparison.Ordinal);
        if (!(inHome || written.StartsWith('/')) || written.Any(char.IsControl))
        {
            reader.ReportExpected(node, path, Form);
            return null;
        }

        var segments = GuestPathText.Segments(inHome ? written[Home.Length..] : written);
        if (Problem(written, inHome, segments) is { } problem)
        {
            reader.Report(node, $"{path}: {problem}");
            return null;
        }
        return inHome ? Home + GuestPathText.Absolute(segments) : GuestPathText.Absolute(segments);
    }

    private static string? Problem(string written, bool inHome, List<string> segments)
    {
        if (segments.Contains(".."))
            return $"'{written}' must not contain '..'";
        if (segments.Count == 0)
            return inHome
                ? $"'{written}' is the whole home folder; list the paths in it to keep"
                : $"'{written}' is the whole machine; list the paths to keep";
        if (inHome)
            return null;
        if (GuestPathText.KernelRoots.Contains(segments[0]) || segments[0] == GuestPathText.TmpRoot)
            return $"'{written}' is under /{segments[0]}, which is rebuilt at every boot and cannot be kept";
        if (segments[0] == GuestPathText.PersistRoot)
            return $"'{written}' is under /{GuestPathText.PersistRoot}, which is lethe's own (the persist disk is mounted there)";
        return null;
    }
}
