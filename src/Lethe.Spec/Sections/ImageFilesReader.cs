using Lethe.Spec.Reading;
using YamlDotNet.RepresentationModel;

namespace Lethe.Spec.Sections;

/// <summary>Reads image.files: host files (src, relative to the spec) copied to absolute paths (dst) in the image.</summary>
internal static class ImageFilesReader
{
    public const int DefaultMode = 0b110_100_100; // 0644

    // Filled at boot by the kernel or tmpfs, so a file baked in there would be hidden or lost.
    private static readonly string[] RuntimeRoots = ["proc", "sys", "dev", "run", "tmp"];

    public static List<FileSpec> Read(YamlNode node, string path, NodeReader reader)
    {
        var files = new List<FileSpec>();
        var writtenBy = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (item, itemPath) in reader.Items(node, path, "a list of {src, dst, mode} entries"))
        {
            if (ReadEntry(item, itemPath, reader) is not { } file)
                continue;
            if (writtenBy.TryGetValue(file.Destination, out var first))
            {
                reader.Report(item, $"{itemPath}: '{file.Destination}' is already the dst of {first}");
                continue;
            }
            writtenBy[file.Destination] = itemPath;
            files.Add(file);
        }
        return files;
    }

    private static FileSpec? ReadEntry(YamlNode item, string path, NodeReader reader)
    {
        if (item is not YamlMappingNode)
        {
            reader.ReportExpected(item, path, "a mapping like {src: ./file, dst: /etc/file, mode: \"0644\"}");
            return null;
        }

        string? source = null, destination = null;
        var mode = DefaultMode;
        var seen = new HashSet<string>();
        reader.Fields(item, path,
        [
            new("src", (node, at) => { seen.Add("src"); TrySource(node, at, reader, out source); }),
            new("dst", (node, at) => { seen.Add("dst"); TryDestination(node, at, reader, out destination); }),
            new("mode", (node, at) => mode = OctalModeReader.TryRead(reader, node, at, out var written) ? written : DefaultMode),
        ]);
        foreach (var key in new[] { "src", "dst" }.Where(key => !seen.Contains(key)))
            reader.Report(item, $"{path}: missing required key '{key}'");
        // Invalid parts were reported; the returned entry is only used when the whole spec is valid.
        return source is not null && destination is not null ? new FileSpec(source, destination, mode) : null;
    }

    private static bool TrySource(YamlNode node, string path, NodeReader reader, out string? source)
    {
        source = null;
        const string form = "a path to a host file";
        if (!reader.TryScalar(node, path, form, out var written))
            return false;
        if (written.Length == 0 || written.Contains('\0'))
        {
            reader.ReportExpected(node, path, form);
            return false;
        }
        var full = Path.GetFullPath(written, reader.BaseDirectory);
        if (Directory.Exists(full))
            reader.Report(node, $"{path}: '{written}' is a folder; expected a regular file");
        else if (!File.Exists(full))
            reader.Report(node, $"{path}: no such file '{written}' (looked for {full})");
        else
            source = reader.ConfineHostPath(node, path, written, full);
        return source is not null;
    }

    private static bool TryDestination(YamlNode node, string path, NodeReader reader, out string? destination)
    {
        destination = null;
        const string form = "an absolute path in the image like /etc/skel/.bashrc";
        if (!reader.TryScalar(node, path, form, out var written))
            return false;

        var segments = written.Split('/').Where(segment => segment is not ("" or ".")).ToList();
        if (!written.StartsWith('/') || segments.Count == 0 || written.EndsWith('/'))
            reader.ReportExpected(node, path, form);
        else if (segments.Contains(".."))
            reader.Report(node, $"{path}: '{written}' must not contain '..'");
        else if (RuntimeRoots.Contains(segments[0]))
            reader.Report(node, $"{path}: '{written}' is under /{segments[0]}, which is replaced at boot; choose another folder");
        else
            destination = "/" + string.Join('/', segments);
        return destination is not null;
    }
}
