using System.Text;
using System.Text.Json;

namespace Lethe.Machine.Warm;

public enum QmpMessageKind { Greeting, Return, Error, Event }

/// <summary>
/// Pure: one line QEMU's monitor (QMP) sent, read strictly. A line is one JSON object that is exactly one of
/// the greeting, a reply (return or error) or an event; anything else is refused. The reply's value is
/// kept as raw JSON text (never deserialized into types), capped by the reader's line cap.
/// </summary>
public sealed record QmpMessage(QmpMessageKind Kind, string? EventName = null, string? ReturnJson = null, string? ErrorClass = null, string? ErrorText = null)
{
    public const int MaxLineBytes = 256 * 1024;

    public static QmpMessage Parse(ReadOnlySpan<byte> line)
    {
        if (line.Length > MaxLineBytes)
            throw new InvalidDataException("a QMP message is too long");
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(line.ToArray(), new JsonDocumentOptions { MaxDepth = 32 });
        }
        catch (JsonException)
        {
            throw new InvalidDataException("QEMU's monitor sent something that is not JSON");
        }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                throw new InvalidDataException("a QMP message is not a JSON object");
            if (root.TryGetProperty("QMP", out var greeting) && greeting.ValueKind == JsonValueKind.Object)
                return new(QmpMessageKind.Greeting);
            if (root.TryGetProperty("return", out var value))
                return new(QmpMessageKind.Return, ReturnJson: value.GetRawText());
            if (root.TryGetProperty("error", out var error) && error.ValueKind == JsonValueKind.Object)
                return new(QmpMessageKind.Error, ErrorClass: StringOf(error, "class"), ErrorText: StringOf(error, "desc"));
            if (root.TryGetProperty("event", out var name) && name.ValueKind == JsonValueKind.String
                && name.GetString() is { Length: > 0 and <= 64 } eventName && eventName.All(c => char.IsAsciiLetterUpper(c) || char.IsAsciiDigit(c) || c == '_'))
                return new(QmpMessageKind.Event, EventName: eventName, ReturnJson: root.TryGetProperty("data", out var data) ? data.GetRawText() : null);
            throw new InvalidDataException("a QMP message is neither a greeting, a reply nor an event");
        }
    }

    private static string StringOf(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() ?? "" : "";

    /// <summary>A command line for QEMU: <c>{"execute":NAME,"arguments":{...}}</c> and a newline; the arguments are strings.</summary>
    public static byte[] Command(string name, IReadOnlyDictionary<string, string>? arguments = null)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("execute", name);
            if (arguments is { Count: > 0 })
            {
                writer.WriteStartObject("arguments");
                foreach (var (key, value) in arguments)
                    writer.WriteString(key, value);
                writer.WriteEndObject();
            }
            writer.WriteEndObject();
        }
        buffer.WriteByte((byte)'\n');
        return buffer.ToArray();
    }

    /// <summary>A string member of a reply's return object, or null; for query-status and query-migrate.</summary>
    public static string? ReturnString(string? returnJson, string member)
    {
        if (returnJson is null)
            return null;
        using var document = JsonDocument.Parse(Encoding.UTF8.GetBytes(returnJson));
        return document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty(member, out var value)
            && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
    }
}
