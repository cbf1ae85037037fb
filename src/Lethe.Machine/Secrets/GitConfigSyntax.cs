using System.Text;

namespace Lethe.Machine.Secrets;

/// <summary>
/// One variable of a git config file. <see cref="Section"/> and <see cref="Key"/> are lower case (git
/// compares them so); <see cref="Subsection"/> keeps its case; <see cref="Value"/> is null for a bare
/// <c>key</c> (boolean true).
/// </summary>
public sealed record GitConfigEntry(string Section, string? Subsection, string Key, string? Value, int Line)
{
    public string Name => Subsection is null ? $"{Section}.{Key}" : $"{Section}.{Subsection}.{Key}";
}

/// <summary>A file git would refuse, with the line where it stopped.</summary>
public sealed class GitConfigSyntaxException(int line, string reason) : Exception($"line {line}: {reason}")
{
    public int Line { get; } = line;
}

/// <summary>
/// Pure: git's config syntax, read the way git's own parser (config.c) reads it: <c>[section]</c>,
/// <c>[section "subsection"]</c> (with <c>\"</c> and <c>\\</c>), the old <c>[section.subsection]</c>,
/// <c>#</c> and <c>;</c> comments, quoted values with <c>\n \t \b \\ \"</c>, a backslash at the end of a
/// line continuing the value, and CRLF. Comments are dropped, and <see cref="Write"/> gives a canonical
/// file back, so that nothing but the variables kept (no comment, no stray text) leaves the host.
/// </summary>
public static class GitConfigSyntax
{
    public static IReadOnlyList<GitConfigEntry> Parse(string text) => new Reader(text).ReadAll();

    /// <summary>A config file holding exactly these variables, every value quoted and escaped.</summary>
    public static string Write(IEnumerable<GitConfigEntry> entries)
    {
        var output = new StringBuilder();
        (string, string?)? current = null;
        foreach (var entry in entries)
        {
            if (current != (entry.Section, entry.Subsection))
            {
                current = (entry.Section, entry.Subsection);
                output.Append('[').Append(entry.Section);
                if (entry.Subsection is { } subsection)
                    output.Append(" \"").Append(subsection.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal)).Append('"');
                output.Append("]\n");
            }
            output.Append('\t').Append(entry.Key);
            if (entry.Value is { } value)
                output.Append(" = \"").Append(EscapeValue(value)).Append('"');
            output.Append('\n');
        }
        return output.ToString();
    }

    private static string EscapeValue(string value)
    {
        var escaped = new StringBuilder(value.Length + 8);
        foreach (var c in value)
            escaped.Append(c switch
            {
                '\\' => "\\\\",
                '"' => "\\\"",
                '\n' => "\\n",
                '\t' => "\\t",
                '\b' => "\\b",
                _ => c.ToString(),
            });
        return escaped.ToString();
    }

    private static bool IsKeyChar(int c) => c < 128 && (char.IsAsciiLetterOrDigit((char)c) || c == '-');

    /// <summary>git's own isspace: ASCII space, tab, CR and LF only.</summary>
    private static bool IsSpace(int c) => c is ' ' or '\t' or '\n' or '\r';

    private sealed class Reader(string text)
    {
        private int _position = text.Length > 0 && text[0] == '\uFEFF' ? 1 : 0;
        private int _line = 1;
        private bool _eof;

        /// <summary>The next character; CRLF reads as LF, and the end of the text as one last LF.</summary>
        private int Next()
        {
            if (_position >= text.Length)
            {
                _eof = true;
                return '\n';
            }
            var c = text[_position++];
            if (c == '\r' && _position < text.Length && text[_position] == '\n')
                c = text[_position++];
            if (c == '\n')
                _line++;
            if (c == '\0')
                throw Error("a NUL byte");
            return c;
        }

        /// <summary>At the line of the last character read (a newline counts for the line it ends).</summary>
        private GitConfigSyntaxException Error(string reason) =>
            new(!_eof && _position > 0 && text[_position - 1] == '\n' ? _line - 1 : _line, reason);

        public List<GitConfigEntry> ReadAll()
        {
            var entries = new List<GitConfigEntry>();
            string? section = null;
            string? subsection = null;
            var comment = false;
            while (true)
            {
                var c = Next();
                if (c == '\n')
                {
                    if (_eof)
                        return entries;
                    comment = false;
                    continue;
                }
                if (comment || IsSpace(c))
                    continue;
                if (c is '#' or ';')
                {
                    comment = true;
                    continue;
                }
                if (c == '[')
                {
                    (section, subsection) = ReadSectionHeader();
                    continue;
                }
                if (c >= 128 || !char.IsAsciiLetter((char)c))
                    throw Error("expected a section header, a variable or a comment");
                if (section is null)
                    throw Error("a variable before any [section]");
                var line = _line;
                var (key, value) = ReadVariable((char)c);
                entries.Add(new GitConfigEntry(section, subsection, key, value, line));
                if (_eof)
                    return entries;
            }
        }

        private (string Section, string? Subsection) ReadSectionHeader()
        {
            var name = new StringBuilder();
            while (true)
            {
                var c = Next();
                if (_eof)
                    throw Error("an unfinished section header");
                if (c == ']')
                    return Split(name.ToString());
                if (IsSpace(c))
                    return (Checked(name.ToString()), ReadQuotedSubsection(c));
                if (!IsKeyChar(c) && c != '.')
                    throw Error("a bad character in a section name");
                name.Append(char.ToLowerInvariant((char)c));
            }
        }

        /// <summary>The old form [section.subsection]: git lowercases the whole name.</summary>
        private (string, string?) Split(string name)
        {
            var dot = name.IndexOf('.', StringComparison.Ordinal);
            return dot < 0 ? (Checked(name), null) : (Checked(name[..dot]), name[(dot + 1)..]);
        }

        private string Checked(string section) =>
            section.Length == 0 || section.Contains('.', StringComparison.Ordinal) ? throw Error("a bad section name") : section;

        private string ReadQuotedSubsection(int c)
        {
            do
            {
                if (c == '\n')
                    throw Error("an unfinished section header");
                c = Next();
            }
            while (IsSpace(c));
            if (c != '"')
                throw Error("expected [section \"subsection\"]");
            var subsection = new StringBuilder();
            while (true)
            {
                c = Next();
                if (c == '\n')
                    throw Error("an unfinished section header");
                if (c == '"')
                    break;
                if (c == '\\')
                {
                    c = Next();
                    if (c == '\n')
                        throw Error("an unfinished section header");
                }
                subsection.Append((char)c);
            }
            if (Next() != ']')
                throw Error("expected ']' after the subsection");
            return subsection.ToString();
        }

        private (string Key, string? Value) ReadVariable(char first)
        {
            var key = new StringBuilder().Append(char.ToLowerInvariant(first));
            int c;
            while (true)
            {
                c = Next();
                if (_eof || !IsKeyChar(c))
                    break;
                key.Append(char.ToLowerInvariant((char)c));
            }
            while (c is ' ' or '\t')
                c = Next();
            if (c == '\n')
                return (key.ToString(), null);
            if (c != '=')
                throw Error($"expected '=' after {key}");
            return (key.ToString(), ReadValue());
        }

        private string ReadValue()
        {
            var value = new StringBuilder();
            var quote = false;
            var comment = false;
            var trimAt = -1;
            while (true)
            {
                var c = Next();
                if (c == '\n')
                {
                    if (quote)
                        throw Error("a quoted value not closed on its line");
                    if (trimAt >= 0)
                        value.Length = trimAt;
                    return value.ToString();
                }
                if (comment)
                    continue;
                if (IsSpace(c) && !quote)
                {
                    if (trimAt < 0)
                        trimAt = value.Length;
                    if (value.Length > 0)
                        value.Append((char)c);
                    continue;
                }
                if (!quote && c is ';' or '#')
                {
                    comment = true;
                    continue;
                }
                trimAt = -1;
                if (c == '\\')
                {
                    c = Next();
                    switch (c)
                    {
                        case '\n':
                            continue;
                        case 't':
                            c = '\t';
                            break;
                        case 'b':
                            c = '\b';
                            break;
                        case 'n':
                            c = '\n';
                            break;
                        case '\\' or '"':
                            break;
                        default:
                            throw Error("an unknown escape in a value");
                    }
                    value.Append((char)c);
                    continue;
                }
                if (c == '"')
                {
                    quote = !quote;
                    continue;
                }
                value.Append((char)c);
            }
        }
    }
}
