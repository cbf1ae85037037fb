using System.Buffers.Binary;
using System.Text;

namespace Lethe.Protocol;

/// <summary>One OpenSSH public key, reduced to its type and base64 blob (any comment is dropped).</summary>
public sealed record SshPublicKey(string Type, string Base64)
{
    public override string ToString() => $"{Type} {Base64}";
}

/// <summary>
/// Pure: reads OpenSSH public key lines as hostile text (a host key the guest reports, a key file the spec
/// names). A line is accepted only as "TYPE BASE64 [comment]" with a known TYPE, valid base64, and a blob
/// whose own type string is TYPE. Nothing else passes: no options, no control characters, no second key.
/// </summary>
public static class SshPublicKeys
{
    public const string HostKeyType = "ssh-ed25519";
    public const int MaxLineLength = 16 * 1024;

    public static readonly IReadOnlySet<string> KnownTypes = new HashSet<string>(StringComparer.Ordinal)
    {
        "ssh-ed25519", "ssh-rsa", "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp521",
        "sk-ssh-ed25519@openssh.com", "sk-ecdsa-sha2-nistp256@openssh.com",
    };

    /// <summary>One key from one line; null with the reason when the line is not a public key.</summary>
    public static SshPublicKey? Parse(string line, out string? problem)
    {
        problem = null;
        line = line.TrimEnd('\n', '\r');
        if (line.Length == 0 || line.Length > MaxLineLength)
            return Fail(out problem, line.Length == 0 ? "empty" : "too long");
        if (line.Any(c => char.IsControl(c) && c != '\t'))
            return Fail(out problem, "contains control characters");
        var fields = line.Split([' ', '\t'], 3, StringSplitOptions.RemoveEmptyEntries);
        if (fields.Length < 2)
            return Fail(out problem, "not 'TYPE BASE64'");
        var (type, text) = (fields[0], fields[1]);
        if (!KnownTypes.Contains(type))
            return Fail(out problem, "not a known SSH public key type");
        byte[] blob;
        try
        {
            blob = Convert.FromBase64String(text);
        }
        catch (FormatException)
        {
            return Fail(out problem, "its key is not base64");
        }
        if (BlobType(blob) != type)
            return Fail(out problem, "its key does not match its type");
        return new SshPublicKey(type, Convert.ToBase64String(blob));
    }

    /// <summary>Every key of a public key file (blank lines and # comments skipped); null with the reason at the first bad line.</summary>
    public static IReadOnlyList<SshPublicKey>? ParseFile(string text, out string? problem)
    {
        problem = null;
        if (LooksPrivate(text))
        {
            problem = "holds a private key, not a public one (list its .pub file)";
            return null;
        }
        var keys = new List<SshPublicKey>();
        var number = 0;
        foreach (var line in text.Split('\n'))
        {
            number++;
            var trimmed = line.Trim();
            if (trimmed.Length == 0 || trimmed.StartsWith('#'))
                continue;
            if (Parse(trimmed, out var why) is not { } key)
            {
                problem = $"line {number} is not an SSH public key: {why}";
                return null;
            }
            keys.Add(key);
        }
        if (keys.Count == 0)
            problem = "holds no SSH public key";
        return keys.Count == 0 ? null : keys;
    }

    /// <summary>The guest's host key, as reported in its ready message: exactly one ed25519 key and nothing else.</summary>
    public static SshPublicKey? ParseHostKey(string reported, out string? problem)
    {
        var lines = reported.TrimEnd('\n').Split('\n');
        if (lines.Length != 1)
        {
            problem = "more than one line";
            return null;
        }
        var key = Parse(lines[0], out problem);
        if (key is not null && (key.Type != HostKeyType || Convert.FromBase64String(key.Base64).Length != 4 + 11 + 4 + 32))
            return Fail(out problem, "not an ed25519 key");
        return key;
    }

    /// <summary>PEM, OpenSSH and PuTTY private keys.</summary>
    public static bool LooksPrivate(string text) =>
        text.Contains("PRIVATE KEY", StringComparison.Ordinal) || text.Contains("PuTTY-User-Key-File", StringComparison.Ordinal);

    private static string? BlobType(byte[] blob)
    {
        if (blob.Length < 4)
            return null;
        var length = BinaryPrimitives.ReadUInt32BigEndian(blob);
        return length is > 0 and <= 64 && blob.Length >= 4 + (int)length ? Encoding.ASCII.GetString(blob, 4, (int)length) : null;
    }

    private static SshPublicKey? Fail(out string? problem, string why)
    {
        problem = why;
        return null;
    }
}
