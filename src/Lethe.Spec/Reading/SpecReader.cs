using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Lethe.Spec.Reading;

/// <summary>Parses YAML text and reads it through the registered sections.</summary>
internal static class SpecReader
{
    /// <param name="allowOutsideSpecFolder">The caller's override of <see cref="SpecFolderConfinement"/>; the
    /// embedded default (no path) is lethe's own and not confined.</param>
    public static SpecResult Read(string yaml, string? path, bool allowOutsideSpecFolder = false)
    {
        var fullPath = path is null ? null : Path.GetFullPath(path);
        var baseDirectory = fullPath is null ? Environment.CurrentDirectory : Path.GetDirectoryName(fullPath)!;
        var reader = new NodeReader(path ?? SpecLoader.DefaultFileLabel, baseDirectory, confineToBaseDirectory: fullPath is not null && !allowOutsideSpecFolder);

        var stream = new YamlStream();
        var events = new DuplicateKeyFilter(new Parser(new StringReader(yaml)), reader);
        // Sections are not read from broken YAML; only duplicate keys met before the break are kept.
        try
        {
            stream.Load(events);
        }
        catch (YamlException e)
        {
            reader.Report(e.Start, $"invalid YAML: {Lowercased(e.Message)}");
            return Failure(reader);
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException)
        {
            // YamlDotNet 16.3 throws these for some malformed input (e.g. ": {\ns") without a position.
            reader.Report(events.Current?.End ?? Mark.Empty, "invalid YAML: cannot parse the text after this point");
            return Failure(reader);
        }

        var spec = SpecSections.BuiltIn();
        if (stream.Documents.Count > 0)
            spec = SpecSections.Read(stream.Documents[0].RootNode, reader);
        if (stream.Documents.Count > 1)
            reader.Report(stream.Documents[1].RootNode, "a spec is a single YAML document; remove this second one");

        return reader.Errors.Count > 0 ? Failure(reader) : SpecResult.Success(spec with { SourcePath = fullPath });
    }

    private static SpecResult Failure(NodeReader reader) =>
        SpecResult.Failure([.. reader.Errors.OrderBy(error => error.Line).ThenBy(error => error.Column)]);

    private static string Lowercased(string message) =>
        message.Length > 0 ? char.ToLowerInvariant(message[0]) + message[1..].TrimEnd('.') : message;
}
