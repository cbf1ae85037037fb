namespace Lethe.Machine.Agents;

/// <summary>Pure: reading <c>gpg --list-secret-keys --with-colons</c>.</summary>
public static class GpgKeyListing
{
    /// <summary>The fingerprint of each secret primary key (the <c>fpr</c> record that follows a <c>sec</c> record).</summary>
    public static IReadOnlyList<string> SecretFingerprints(string colons)
    {
        var fingerprints = new List<string>();
        var afterPrimary = false;
        foreach (var line in colons.Split('\n'))
        {
            var fields = line.TrimEnd('\r').Split(':');
            switch (fields[0])
            {
                case "sec":
                    afterPrimary = true;
                    break;
                case "fpr" when afterPrimary:
                    afterPrimary = false;
                    if (fields.Length > 9 && IsFingerprint(fields[9]) && !fingerprints.Contains(fields[9]))
                        fingerprints.Add(fields[9]);
                    break;
                case "ssb" or "pub" or "sub":
                    afterPrimary = false;
                    break;
            }
        }
        return fingerprints;
    }

    /// <summary>A v4 (40) or v5 (64) hex fingerprint: safe to pass to gpg as an argument.</summary>
    public static bool IsFingerprint(string text) => text.Length is 40 or 64 && text.All(char.IsAsciiHexDigit);

    /// <summary>
    /// git's user.signingkey, when it names a key gpg can export: a key id, a fingerprint or an e-mail address;
    /// never an option (a leading '-'), and never an SSH key (gpg.format ssh names a file or a key literal).
    /// </summary>
    public static string? SigningKey(string configured)
    {
        var key = configured.Trim();
        if (key.Length is 0 or > 256 || key.StartsWith('-') || key.StartsWith('/') || key.StartsWith('~')
            || key.StartsWith("ssh-", StringComparison.Ordinal) || key.StartsWith("key::", StringComparison.Ordinal)
            || key.Any(char.IsControl))
            return null;
        return key;
    }
}
