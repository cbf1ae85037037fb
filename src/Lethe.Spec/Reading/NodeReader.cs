using System.Globalization;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Lethe.Spec.Reading;

/// <summary>
/// Reads YAML nodes into typed values, collecting positioned errors instead of throwing.
/// Every method names the value by its dotted path ("resources.memory") in its messages.
/// </summary>
internal sealed class NodeReader(string file, string baseDirectory, bool confineToBaseDirectory = false)
{
    public const string TopLevel = "";

    private readonly List<SpecError> errors = [];

    /// <summary>The folder relative host paths are resolved against (the spec's folder).</summary>
    public string BaseDirectory { get; } = baseDirectory;

    public IReadOnlyList<SpecError> Errors => errors;

    /// <summary>
    /// A host path the spec names, confined to the spec's folder once links are resolved (see
    /// <see cref="SpecFolderConfinement"/>). Returns the resolved path, or null after reporting at the node.
    /// Unconfined (the embedded default, or the caller's override): the path as given.
    /// </summary>
    public string? ConfineHostPath(YamlNode node, string path, string written, string full)
    {
        if (!confineToBaseDirectory)
            return full;
        var realFolder = HostRealPath.Of(BaseDirectory);
        var realCandidate = HostRealPath.Of(full);
        if (realFolder is null || realCandidate is null)
        {
            Report(node, $"{Label(path)}: cannot resolve '{written}' (looked for {full})");
            return null;
        }
        if (SpecFolderConfinement.IsInside(realFolder, realCandidate))
            return realCandidate;
        Report(node, $"{Label(path)}: {SpecFolderConfinement.Outside(written, realCandidate, realFolder)}");
        return null;
    }

    public void Report(Mark at, string message) =>
        errors.Add(new SpecError(file, (int)at.Line, (int)at.Column, message));

    public void Report(YamlNode node, string message) => Report(node.Start, message);

    /// <summary>Reports "path: expected X, got Y" at the node.</summary>
    public void ReportExpected(YamlNode node, string path, string expected) =>
        Report(node, $"{Label(path)}: expected {expected}, got {Describe(node)}");

    public static string Label(string path) => path == TopLevel ? "top level" : path;

    /// <summary>"in resources" or "at top level", for messages about keys.</summary>
    public static string Where(string path) => path == TopLevel ? "at top level" : $"in {path}";

    public static string Child(string path, string key) => path == TopLevel ? key : $"{path}.{key}";

    /// <summary>An empty value ("key:", "~", "null"): treated as "not set".</summary>
    public static bool IsNull(YamlNode node) =>
        node is YamlScalarNode { Style: ScalarStyle.Plain or ScalarStyle.Any, Value: null or "" or "~" or "null" or "Null" or "NULL" };

    public static string Describe(YamlNode node) => node switch
    {
        _ when IsNull(node) => "nothing",
        YamlScalarNode scalar => $"'{scalar.Value}'",
        YamlMappingNode => "a mapping",
        YamlSequenceNode => "a list",
        _ => "an unsupported YAML node",
    };

    /// <summary>Reads a mapping whose keys must come from <paramref name="fields"/>; null values are skipped.</summary>
    public void Fields(YamlNode node, string path, IReadOnlyList<Field> fields)
    {
        if (IsNull(node))
            return;
        var keys = fields.Select(field => field.Key).ToList();
        if (node is not YamlMappingNode mapping)
        {
            ReportExpected(node, path, $"a mapping with keys {string.Join(", ", keys)}");
            return;
        }

        foreach (var (key, keyNode, value) in Entries(mapping, path))
        {
            var field = fields.FirstOrDefault(candidate => candidate.Key == key);
            if (field is null)
                Report(keyNode, $"unknown key '{key}' {Where(path)}{Suggestions.DidYouMean(key, keys)}");
            else if (!IsNull(value))
                field.Read(value, Child(path, key));
        }
    }

    /// <summary>Entries of a mapping with free-form keys (each key must be a scalar); reports a non-mapping.</summary>
    public IReadOnlyList<(string Key, YamlNode KeyNode, YamlNode Value)> Map(YamlNode node, string path, string expected)
    {
        if (IsNull(node))
            return [];
        if (node is YamlMappingNode mapping)
            return Entries(mapping, path);
        ReportExpected(node, path, expected);
        return [];
    }

    /// <summary>Items of a list with their paths ("image.packages[0]"); reports a non-list.</summary>
    public IReadOnlyList<(YamlNode Item, string Path)> Items(YamlNode node, string path, string expected)
    {
        if (IsNull(node))
            return [];
        if (node is YamlSequenceNode sequence)
            return [.. sequence.Children.Select((item, index) => (item, $"{path}[{index}]"))];
        ReportExpected(node, path, expected);
        return [];
    }

    public bool TryScalar(YamlNode node, string path, string expected, out string text)
    {
        if (node is YamlScalarNode { Value: { } value } && !IsNull(node))
        {
            text = value;
            return true;
        }
        ReportExpected(node, path, expected);
        text = "";
        return false;
    }

    public bool TryText(YamlNode node, string path, Regex pattern, string expected, out string text)
    {
        if (!TryScalar(node, path, expected, out text))
            return false;
        if (pattern.IsMatch(text))
            return true;
        ReportExpected(node, path, expected);
        return false;
    }

    public bool TryInteger(YamlNode node, string path, int min, int max, out int value)
    {
        value = 0;
        var expected = $"an integer {min}..{max}";
        if (!TryScalar(node, path, expected, out var text))
            return false;
        if (!TryParseInteger(text, out var number))
        {
            ReportExpected(node, path, expected);
            return false;
        }
        return TryInRange(node, path, number, min, max, unit: "", out value);
    }

    public bool TryInRange(YamlNode node, string path, long number, int min, int max, string unit, out int value)
    {
        value = (int)Math.Clamp(number, min, max);
        if (number >= min && number <= max)
            return true;
        Report(node, $"{path}: {number}{unit} is out of range {min}..{max}{unit}");
        return false;
    }

    public static bool TryParseInteger(string text, out long number) =>
        long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out number);

    public bool TryBoolean(YamlNode node, string path, out bool value)
    {
        value = false;
        const string expected = "true or false";
        if (!TryScalar(node, path, expected, out var text))
            return false;
        switch (text)
        {
            case "true" or "True" or "TRUE":
                value = true;
                return true;
            case "false" or "False" or "FALSE":
                return true;
            default:
                ReportExpected(node, path, expected);
                return false;
        }
    }

    /// <summary>One of a fixed set of words; a near miss gets a "did you mean" hint.</summary>
    public bool TryChoice<T>(YamlNode node, string path, IReadOnlyDictionary<string, T> choices, out T value)
    {
        value = default!;
        var expected = $"one of {string.Join(", ", choices.Keys)}";
        if (!TryScalar(node, path, expected, out var text))
            return false;
        if (choices.TryGetValue(text, out var chosen))
        {
            value = chosen;
            return true;
        }
        Report(node, $"{path}: expected {expected}, got {Describe(node)}{Suggestions.DidYouMean(text, choices.Keys)}");
        return false;
    }

    private List<(string Key, YamlNode KeyNode, YamlNode Value)> Entries(YamlMappingNode mapping, string path)
    {
        var entries = new List<(string, YamlNode, YamlNode)>();
        foreach (var (keyNode, value) in mapping.Children)
        {
            if (keyNode is YamlScalarNode { Value: { } key } && !IsNull(keyNode))
                entries.Add((key, keyNode, value));
            else
                Report(keyNode, $"keys {Where(path)} must be plain names, got {Describe(keyNode)}");
        }
        return entries;
    }
}
