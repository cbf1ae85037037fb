using System.Text;

namespace Lethe.Protocol;

/// <summary>
/// <see cref="UntrustedText.ForLines"/> for text that arrives in pieces (a console log being followed):
/// a CR at the end of one piece waits for the next, so a CR LF split across pieces is still one newline.
/// </summary>
public sealed class UntrustedTextFilter
{
    private bool _pendingCarriageReturn;

    public string Next(string piece)
    {
        var builder = new StringBuilder(piece.Length + 16);
        foreach (var c in piece)
        {
            if (_pendingCarriageReturn && c != '\n')
                UntrustedText.Append(builder, '\r', keepNewlines: true);
            _pendingCarriageReturn = c == '\r';
            if (!_pendingCarriageReturn)
                UntrustedText.Append(builder, c, keepNewlines: true);
        }
        return builder.ToString();
    }

    /// <summary>What a last, lone CR stands for once no more text will come.</summary>
    public string End()
    {
        var rest = _pendingCarriageReturn ? "^M" : "";
        _pendingCarriageReturn = false;
        return rest;
    }
}
