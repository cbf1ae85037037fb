using Lethe.Spec.Reading;
using YamlDotNet.RepresentationModel;

namespace Lethe.Spec.Sections;

/// <summary>update: {source: ./path | git URL[#branch] | channel URL, every: 1h, signers: FILE, keep: 3}.</summary>
internal sealed class UpdateSection : ISpecSection
{
    public string Key => "update";

    public MachineSpec Read(YamlNode value, MachineSpec spec, NodeReader reader)
    {
        if (NodeReader.IsNull(value))
            return spec;
        UpdateSpec? source = null;
        var every = UpdateSpec.DefaultEvery;
        var keep = UpdateSpec.DefaultKeep;
        string? signers = null;
        YamlNode? signersNode = null;
        var sourceSeen = false;
        reader.Fields(value, Key,
        [
            new("source", (node, path) =>
            {
                sourceSeen = true;
                source = ReadSource(node, path, reader);
            }),
            new("every", (node, path) =>
            {
                if (!reader.TryScalar(node, path, "a duration like 1h, 30m or 1d", out var text))
                    return;
                if (DurationText.TryParse(text) is { } duration && duration >= UpdateSpec.MinEvery)
                    every = duration;
                else
                    reader.ReportExpected(node, path, $"a duration of at least {UpdateSpec.MinEvery.TotalSeconds:0}s, like 1h, 30m or 1d");
            }),
            new("signers", (node, path) =>
            {
                signersNode = node;
                if (reader.TryScalar(node, path, "an allowed-signers file (ssh-keygen -Y format)", out var written))
                    signers = reader.ConfineHostPath(node, path, written, Path.GetFullPath(written, reader.BaseDirectory));
            }),
            new("keep", (node, path) =>
            {
                if (reader.TryInteger(node, path, 1, 100, out var count))
                    keep = count;
            }),
        ]);
        if (value is YamlMappingNode && !sourceSeen)
            reader.Report(value, $"{Key}: missing required key 'source'");
        if (source is null)
            return spec;
        if (source.Kind == UpdateSourceKind.Channel && signers is null && signersNode is null)
            reader.Report(value, $"{Key}: a channel needs 'signers', the allowed-signers file its manifests must be signed by");
        if (source.Kind != UpdateSourceKind.Channel && signersNode is not null)
            reader.Report(signersNode, $"{Key}.signers: only a channel source is signed (this source is {source.Kind.ToString().ToLowerInvariant()})");
        return spec with { Update = source with { Every = every, Keep = keep, Signers = signers } };
    }

    private static UpdateSpec? ReadSource(YamlNode node, string path, NodeReader reader)
    {
        const string expected = "./path, git URL[#branch] or channel URL";
        if (!reader.TryScalar(node, path, expected, out var text))
            return null;
        text = text.Trim();
        var space = text.IndexOf(' ', StringComparison.Ordinal);
        var word = space < 0 ? "" : text[..space];
        var rest = space < 0 ? "" : text[(space + 1)..].Trim();
        if (text.Contains('\0') || text.Contains('\n'))
        {
            reader.ReportExpected(node, path, expected);
            return null;
        }
        switch (word)
        {
            case "git":
                return ReadGit(node, path, rest, reader);
            case "channel":
                if (rest.Length == 0)
                    break;
                if (rest.StartsWith("http://", StringComparison.Ordinal) || rest.StartsWith("https://", StringComparison.Ordinal))
                    return Uri.TryCreate(rest, UriKind.Absolute, out _) ? UpdateSource(UpdateSourceKind.Channel, rest) : Fail(node, path, $"'{rest}' is not a URL", reader);
                if (rest.Contains("://", StringComparison.Ordinal))
                    return Fail(node, path, $"a channel is a folder or an http(s) URL, not '{rest}'", reader);
                return reader.ConfineHostPath(node, path, rest, Path.GetFullPath(rest, reader.BaseDirectory)) is { } folder
                    ? UpdateSource(UpdateSourceKind.Channel, folder) : null;
            case "":
                var full = Path.GetFullPath(text, reader.BaseDirectory);
                return reader.ConfineHostPath(node, path, text, full) is { } confined
                    ? UpdateSource(UpdateSourceKind.Path, Directory.Exists(confined) ? Path.Combine(confined, "lethe.yaml") : confined)
                    : null;
        }
        reader.ReportExpected(node, path, expected);
        return null;
    }

    private static UpdateSpec? ReadGit(YamlNode node, string path, string rest, NodeReader reader)
    {
        var hash = rest.LastIndexOf('#');
        var url = hash < 0 ? rest : rest[..hash];
        var branch = hash < 0 ? null : rest[(hash + 1)..];
        if (url.Length == 0)
            return Fail(node, path, "git needs a repository URL, like git https://example.org/team/dev.git#main", reader);
        // A URL that git would read as an option, or a transport that runs commands (ext::), is never passed on.
        if (url.StartsWith('-') || url.Contains("::", StringComparison.Ordinal) || url.Any(char.IsWhiteSpace))
            return Fail(node, path, $"'{url}' is not a repository URL git may fetch", reader);
        if (branch is not null && (branch.Length == 0 || branch.StartsWith('-') || branch.Contains("..", StringComparison.Ordinal) || branch.Any(c => char.IsWhiteSpace(c) || char.IsControl(c) || c is '~' or '^' or ':' or '?' or '*' or '[' or '\\')))
            return Fail(node, path, $"'{branch}' is not a branch name", reader);
        return UpdateSource(UpdateSourceKind.Git, url) with { Branch = branch };
    }

    private static UpdateSpec? Fail(YamlNode node, string path, string message, NodeReader reader)
    {
        reader.Report(node, $"{path}: {message}");
        return null;
    }

    private static UpdateSpec UpdateSource(UpdateSourceKind kind, string location) =>
        new(kind, location, null, UpdateSpec.DefaultEvery, null);
}
