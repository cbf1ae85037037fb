namespace Lethe.Machine.Scratch;

/// <summary>
/// Pure: whether a text (the run's seed, console log, lethe's own logs) could hold the scratch key. The
/// key is 64 random bytes: 128 hex digits, or 86+ base64 characters. So any run of 64 or more hex
/// digits, or any run of 86 or more base64 characters that mixes upper case, lower case and digits (as
/// random base64 does, and paths do not), counts, except known public values such as the image
/// digest. A finding names the line and the kind of run, never its text: it might be the key.
/// </summary>
public static class ScratchKeyCheck
{
    public const int HexRun = 64;
    public const int Base64Run = 86;

    /// <summary>Null when the text is clean; else where the first suspicious run starts.</summary>
    public static string? Find(string text, IEnumerable<string>? allowed = null)
    {
        var masked = Mask(text, allowed ?? []);
        var line = 1;
        var i = 0;
        while (i < masked.Length)
        {
            if (masked[i] == '\n')
            {
                line++;
                i++;
                continue;
            }
            var hex = RunLength(masked, i, char.IsAsciiHexDigit);
            if (hex >= HexRun)
                return $"line {line}: a run of {hex} hex digits";
            var base64 = RunLength(masked, i, IsBase64);
            if (base64 >= Base64Run && LooksRandom(masked.AsSpan(i, base64)))
                return $"line {line}: a run of {base64} base64 characters";
            i += Math.Max(1, Math.Max(hex, base64));
        }
        return null;
    }

    private static string Mask(string text, IEnumerable<string> allowed)
    {
        foreach (var value in allowed.Where(v => v.Length > 0))
            text = text.Replace(value, new string('.', value.Length), StringComparison.OrdinalIgnoreCase);
        return text;
    }

    private static int RunLength(string text, int start, Func<char, bool> belongs)
    {
        var end = start;
        while (end < text.Length && belongs(text[end]))
            end++;
        return end - start;
    }

    private static bool IsBase64(char c) => char.IsAsciiLetterOrDigit(c) || c is '+' or '/';

    private static bool LooksRandom(ReadOnlySpan<char> run) =>
        run.ContainsAnyInRange('A', 'Z') && run.ContainsAnyInRange('a', 'z') && run.ContainsAnyInRange('0', '9');
}
