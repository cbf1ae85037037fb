using System.Security.Cryptography;

namespace Lethe.Protocol.Boot;

/// <summary>Pure: the machine-id format (32 lowercase hex digits, not all zero), as systemd expects it in /etc/machine-id.</summary>
public static class MachineId
{
    public static string New() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));

    /// <summary>The id in a saved file's text, or null when the text is not a valid machine-id.</summary>
    public static string? Parse(string text)
    {
        var id = text.Trim();
        return id.Length == 32 && id.All(c => char.IsAsciiDigit(c) || c is >= 'a' and <= 'f') && id.Any(c => c != '0') ? id : null;
    }
}
