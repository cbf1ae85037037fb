using System.Buffers.Text;
using System.Globalization;
using System.Text.Json;

namespace Lethe.Protocol;

/// <summary>Pure: the strict reading of one control line, and the cleaning of the text in it.</summary>
public static class ControlMessages
{
    private const int MaxReasonLength = 160;

    /// <summary>The message on <paramref name="line"/>; throws <see cref="ControlChannelException"/> for anything else.</summary>
    public static ControlMessage Parse(string line)
    {
        ControlMessage? message;
        try
        {
            message = ProtocolJson.DeserializeMessage(line);
        }
        catch (JsonException e)
        {
            throw Malformed(e.Message, e);
        }
        if (message is null || string.IsNullOrEmpty(message.Type))
            throw Malformed("no message type");
        if (message.Data is { } data && !Base64.IsValid(data))
            throw Malformed($"the data of a {message.Type} message is not base64");
        return message;
    }

    /// <summary>
    /// The same message with every text meant for people cleaned of control characters: the log or
    /// error text (several lines allowed), each warning and each boot phase name (one line each).
    /// The command and its data are left byte-exact.
    /// </summary>
    public static ControlMessage CleanText(this ControlMessage message) =>
        message.Text is null && message.Warnings is null && message.Timeline is null
            ? message
            : message with
            {
                Text = message.Text is null ? null : UntrustedText.ForLines(message.Text),
                Warnings = message.Warnings?.Select(UntrustedText.ForLine).ToList(),
                Timeline = message.Timeline?.Select(p => p with { Name = UntrustedText.ForLine(p.Name) }).ToList(),
            };

    public static string Size(long bytes) => bytes % (1024 * 1024) == 0
        ? $"{bytes / (1024 * 1024)} MiB"
        : string.Create(CultureInfo.InvariantCulture, $"{bytes / (1024.0 * 1024):0.##} MiB");

    private static ControlChannelException Malformed(string reason, Exception? inner = null)
    {
        var shown = UntrustedText.ForLine(reason);
        if (shown.Length > MaxReasonLength)
            shown = shown[..MaxReasonLength] + "…";
        return new ControlChannelException($"a control message is malformed ({shown})", inner);
    }
}
