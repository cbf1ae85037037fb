using Lethe.Spec.Reading;
using YamlDotNet.RepresentationModel;

namespace Lethe.Spec.Sections;

/// <summary>Resolves workspace.path against the spec's folder; when shared, it must be an existing folder.</summary>
internal static class WorkspaceHostFolder
{
    private const string Form = "a host folder, relative to the spec's folder";

    /// <param name="written">The path's value, or null when not written (the default "." is meant).</param>
    /// <param name="section">The workspace mapping: where problems with the default are reported.</param>
    /// <returns>The absolute folder, or null after reporting why it cannot be used (or when it need not exist).</returns>
    public static string? Resolve(YamlNode? written, YamlNode section, string path, NodeReader reader, bool mustExist)
    {
        var node = written ?? section;
        var text = WorkspaceSection.DefaultHostPath;
        if (written is not null && !reader.TryScalar(written, path, Form, out text))
            return null;
        if (text.Length == 0 || text.Contains('\0'))
        {
            reader.ReportExpected(node, path, Form);
            return null;
        }
        if (!mustExist)
            return null;

        var full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(text, reader.BaseDirectory));
        if (File.Exists(full))
            reader.Report(node, $"{path}: '{text}' is a file; expected a folder");
        else if (!Directory.Exists(full))
            reader.Report(node, $"{path}: no such folder '{text}' (looked for {full})");
        else
            return reader.ConfineHostPath(node, path, text, full);
        return null;
    }
}
