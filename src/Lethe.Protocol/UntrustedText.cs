using System.Text;

namespace Lethe.Protocol;

/// <summary>
/// Pure: text that a guest wrote, made safe to print on the user's terminal. Control characters
/// (ESC and so CSI and OSC sequences, BEL, CR, the 8-bit C1 controls) and the bidirectional overrides
/// are never passed through: C0 controls and DEL are shown in caret notation (ESC as ^[), the others
/// as U+FFFD. Only a command's own stdout and stderr bypass this: they are the user's bytes.
/// </summary>
public static class UntrustedText
{
    private const char Replacement = '\uFFFD';

    /// <summary>One line: a newline is shown as ^J, so the text can never forge a line of lethe's own.</summary>
    public static string ForLine(string? text) => Clean(text, keepNewlines: false);

    /// <summary>Several lines: newlines (and CR LF pairs, as a serial console writes them) are kept as newlines; tabs stay.</summary>
    public static string ForLines(string? text) => Clean(text, keepNewlines: true);

    public static bool IsSafe(char c, bool keepNewlines) =>
        c switch
        {
            '\n' => keepNewlines,
            '\t' => true,
            < ' ' or '\u007f' => false,
            >= '\u0080' and <= '\u009f' => false,
            '\u061c' or '\u200e' or '\u200f' or (>= '\u202a' and <= '\u202e') or (>= '\u2066' and <= '\u2069') => false,
            _ => true,
        };

    private static string Clean(string? text, bool keepNewlines)
    {
        if (string.IsNullOrEmpty(text))
            return text ?? "";
        var clean = true;
        foreach (var c in text)
            clean &= IsSafe(c, keepNewlines);
        if (clean)
            return text;
        var builder = new StringBuilder(text.Length + 16);
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (keepNewlines && c == '\r' && i + 1 < text.Length && text[i + 1] == '\n')
                continue;
            Append(builder, c, keepNewlines);
        }
        return builder.ToString();
    }

    internal static void Append(StringBuilder builder, char c, bool keepNewlines)
    {
        if (IsSafe(c, keepNewlines))
            builder.Append(c);
        else if (c < ' ')
            builder.Append('^').Append((char)(c + '@'));
        else if (c == '\u007f')
            builder.Append("^?");
        else
            builder.Append(Replacement);
    }
}
