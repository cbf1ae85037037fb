using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Lethe.Machine.Export;

/// <summary>An ordered YAML mapping for <see cref="YamlText"/>: keys are written in the order they were added.</summary>
public sealed class YamlMap : List<KeyValuePair<string, object>>
{
    public void Add(string key, object value) => Add(new KeyValuePair<string, object>(key, value));
}

/// <summary>
/// Block YAML from <see cref="YamlMap"/>, <c>object[]</c>, strings, integers and booleans (pure). Every string
/// is double-quoted with JSON's escapes (valid YAML), so no value can turn into another type, a key or a document.
/// </summary>
public static class YamlText
{
    public static string Document(YamlMap root)
    {
        var text = new StringBuilder();
        WriteMap(text, root, 0);
        return text.ToString();
    }

    private static void WriteMap(StringBuilder text, YamlMap map, int indent)
    {
        foreach (var (key, value) in map)
        {
            text.Append(' ', indent).Append(key).Append(':');
            WriteValue(text, value, indent);
        }
    }

    private static void WriteValue(StringBuilder text, object value, int indent)
    {
        switch (value)
        {
            case YamlMap { Count: 0 }:
                text.Append(" {}\n");
                break;
            case YamlMap map:
                text.Append('\n');
                WriteMap(text, map, indent + 2);
                break;
            case object[] { Length: 0 }:
                text.Append(" []\n");
                break;
            case object[] items:
                text.Append('\n');
                foreach (var item in items)
                    WriteItem(text, item, indent + 2);
                break;
            default:
                text.Append(' ').Append(Scalar(value)).Append('\n');
                break;
        }
    }

    private static void WriteItem(StringBuilder text, object item, int indent)
    {
        text.Append(' ', indent).Append('-');
        if (item is YamlMap { Count: > 0 } map)
        {
            var inner = new StringBuilder();
            WriteMap(inner, map, indent + 2);
            text.Append(' ').Append(inner.ToString(indent + 2, inner.Length - indent - 2));
        }
        else
            WriteValue(text, item, indent);
    }

    private static string Scalar(object value) => value switch
    {
        string text => "\"" + JsonEncodedText.Encode(text, JavaScriptEncoder.UnsafeRelaxedJsonEscaping).Value + "\"",
        bool flag => flag ? "true" : "false",
        int number => number.ToString(CultureInfo.InvariantCulture),
        long number => number.ToString(CultureInfo.InvariantCulture),
        _ => throw new ArgumentException($"no YAML form for {value.GetType().Name}", nameof(value)),
    };
}
