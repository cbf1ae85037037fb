using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace Lethe.Spec.Reading;

/// <summary>
/// Passes parser events through, reporting and dropping repeated mapping keys (key and value).
/// YamlDotNet's representation model throws on the first duplicate, which would hide every other error.
/// </summary>
internal sealed class DuplicateKeyFilter(IParser inner, NodeReader reader) : IParser
{
    private readonly Stack<Collection> open = new();
    private readonly HashSet<string> anchors = new(StringComparer.Ordinal);

    public ParsingEvent? Current => inner.Current;

    public bool MoveNext()
    {
        while (inner.MoveNext())
        {
            var current = inner.Current!;
            if (IsRepeatedKey(current, out var mapping, out var key, out var first))
            {
                reader.Report(current.Start,
                    $"duplicate key '{key}' {NodeReader.Where(mapping.Path)} (first on line {first.Line})");
                SkipValue();
                continue;
            }
            Track(current);
            CheckAnchors(current);
            return true;
        }
        return false;
    }

    private bool IsRepeatedKey(ParsingEvent current, out Collection mapping, out string key, out Mark first)
    {
        (mapping, key, first) = (null!, "", Mark.Empty);
        if (current is not Scalar scalar || !open.TryPeek(out var top) || !top.ExpectsKey)
            return false;
        (mapping, key) = (top, scalar.Value);
        return top.FirstKeys.TryGetValue(scalar.Value, out first);
    }

    private void SkipValue()
    {
        var depth = 0;
        do
        {
            if (!inner.MoveNext())
                return;
            depth += inner.Current!.NestingIncrease;
        } while (depth > 0);
    }

    private void Track(ParsingEvent current)
    {
        switch (current)
        {
            case DocumentStart:
                open.Clear();
                break;
            case MappingStart:
                open.Push(new Collection(ChildPath(), IsMapping: true));
                break;
            case SequenceStart:
                open.Push(new Collection(ChildPath(), IsMapping: false));
                break;
            case MappingEnd or SequenceEnd:
                open.Pop();
                ChildDone();
                break;
            case Scalar scalar:
                if (open.TryPeek(out var top) && top.ExpectsKey)
                {
                    top.FirstKeys[scalar.Value] = scalar.Start;
                    top.LastKey = scalar.Value;
                }
                ChildDone();
                break;
            case AnchorAlias:
                ChildDone();
                break;
        }
    }

    // YamlDotNet reports an undefined anchor at 1:1; this names the alias's own position.
    private void CheckAnchors(ParsingEvent current)
    {
        if (current is NodeEvent { Anchor.IsEmpty: false } node)
            anchors.Add(node.Anchor.Value);
        else if (current is AnchorAlias alias && !anchors.Contains(alias.Value.Value))
            throw new YamlException(alias.Start, alias.End, $"the anchor '{alias.Value.Value}' is not defined");
    }

    private string ChildPath()
    {
        if (!open.TryPeek(out var parent))
            return NodeReader.TopLevel;
        return parent.IsMapping
            ? NodeReader.Child(parent.Path, parent.LastKey)
            : $"{parent.Path}[{parent.Children}]";
    }

    private void ChildDone()
    {
        if (open.TryPeek(out var parent))
            parent.Children++;
    }

    /// <summary>An open mapping or list; a mapping's children alternate key, value.</summary>
    private sealed record Collection(string Path, bool IsMapping)
    {
        public int Children { get; set; }
        public string LastKey { get; set; } = "?";
        public Dictionary<string, Mark> FirstKeys { get; } = new(StringComparer.Ordinal);
        public bool ExpectsKey => IsMapping && Children % 2 == 0;
    }
}
