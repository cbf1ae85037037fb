using System.Text.RegularExpressions;
using Lethe.Spec.Reading;
using YamlDotNet.RepresentationModel;

namespace Lethe.Spec.Sections;

/// <summary>Reads one persist entry: a path, or a mapping {path, mode, owner, type}.</summary>
internal static partial class PersistEntryReader
{
    private static readonly Dictionary<string, PersistEntryType> Types = new()
    {
        ["file"] = PersistEntryType.File,
        ["dir"] = PersistEntryType.Directory,
    };

    public const string Form = "a path like ~/.ssh or a mapping like {path: ~/src, mode: \"0750\", owner: dev}";

    private const string OwnerForm = "an owner like 'dev', 'root', '1000' or '1000:1000'";

    /// <summary>The entry, or null when it was reported as invalid.</summary>
    public static PersistEntry? Read(YamlNode item, string path, NodeReader reader)
    {
        // A plain ~ would be YAML's null; PersistPathRules reads it as the home folder and refuses it by name.
        if (item is YamlScalarNode scalar && (scalar.Value == "~" || !NodeReader.IsNull(scalar)))
            return PersistPathRules.Normalize(item, path, reader) is { } plain ? new PersistEntry(plain) : null;
        if (item is not YamlMappingNode)
        {
            reader.ReportExpected(item, path, Form);
            return null;
        }

        string? kept = null, owner = null;
        int? mode = null;
        var type = PersistEntryType.Auto;
        var pathSeen = false;
        reader.Fields(item, path,
        [
            new("path", (node, at) => { pathSeen = true; kept = PersistPathRules.Normalize(node, at, reader); }),
            new("mode", (node, at) => mode = OctalModeReader.TryRead(reader, node, at, out var octal) ? octal : null),
            new("owner", (node, at) => owner = ReadOwner(node, at, reader)),
            new("type", (node, at) => type = reader.TryChoice(node, at, Types, out var chosen) ? chosen : type),
        ]);
        if (!pathSeen)
            reader.Report(item, $"{path}: missing required key 'path'");
        return kept is null ? null : new PersistEntry(kept, mode, owner, type);
    }

    private static string? ReadOwner(YamlNode node, string path, NodeReader reader)
    {
        if (!reader.TryScalar(node, path, OwnerForm, out var owner))
            return null;
        if (UserSection.ValidUserName().IsMatch(owner) || NumericOwner().IsMatch(owner))
            return owner;
        reader.ReportExpected(node, path, OwnerForm);
        return null;
    }

    [GeneratedRegex(@"\A[0-9]{1,9}(:[0-9]{1,9})?\z")]
    private static partial Regex NumericOwner();
}
