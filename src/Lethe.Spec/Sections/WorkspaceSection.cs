using Lethe.Spec.Reading;
using YamlDotNet.RepresentationModel;

namespace Lethe.Spec.Sections;

/// <summary>workspace: {path, mode, at}, a host folder (relative to the spec) shared into the machine.</summary>
internal sealed class WorkspaceSection : ISpecSection
{
    public const string DefaultHostPath = ".";
    public const string DefaultAt = "/work";

    private const string AtForm = "an absolute path in the machine like /work";

    private static readonly Dictionary<string, WorkspaceMode> Modes = new()
    {
        ["rw"] = WorkspaceMode.Rw,
        ["overlay"] = WorkspaceMode.Overlay,
        ["none"] = WorkspaceMode.None,
    };

    public string Key => "workspace";

    public MachineSpec Read(YamlNode value, MachineSpec spec, NodeReader reader)
    {
        var mode = WorkspaceMode.Rw;
        var at = DefaultAt;
        YamlNode? hostPathNode = null;
        reader.Fields(value, Key,
        [
            new("path", (node, _) => hostPathNode = node),
            new("mode", (node, path) => mode = reader.TryChoice(node, path, Modes, out var chosen) ? chosen : mode),
            new("at", (node, path) => at = ReadAt(node, path, reader) ?? at),
        ]);
        if (value is not YamlMappingNode)
            return spec;

        // Read last: the folder need not exist when nothing is shared, and the mode may come after the path.
        var shared = mode != WorkspaceMode.None;
        var hostPath = WorkspaceHostFolder.Resolve(hostPathNode, value, NodeReader.Child(Key, "path"), reader, mustExist: shared);
        return spec with { Workspace = new WorkspaceSpec(hostPath, mode, at) };
    }

    private static string? ReadAt(YamlNode node, string path, NodeReader reader)
    {
        if (!reader.TryScalar(node, path, AtForm, out var written))
            return null;
        var segments = GuestPathText.Segments(written);
        string? problem = null;
        if (!written.StartsWith('/') || written.Any(char.IsControl))
            problem = $"expected {AtForm}, got {NodeReader.Describe(node)}";
        else if (segments.Contains(".."))
            problem = $"'{written}' must not contain '..'";
        else if (segments.Count == 0)
            problem = $"'{written}' is the whole machine; choose a folder like {DefaultAt}";
        else if (GuestPathText.KernelRoots.Contains(segments[0]))
            problem = $"'{written}' is under /{segments[0]}, which the kernel fills at boot; choose another folder";
        else if (segments[0] == GuestPathText.PersistRoot)
            problem = $"'{written}' is under /{GuestPathText.PersistRoot}, which is lethe's own; choose another folder";

        if (problem is null)
            return GuestPathText.Absolute(segments);
        reader.Report(node, $"{path}: {problem}");
        return null;
    }
}
