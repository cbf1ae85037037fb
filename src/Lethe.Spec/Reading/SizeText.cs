using System.Globalization;
using System.Text.RegularExpressions;

namespace Lethe.Spec.Reading;

/// <summary>Parses sizes such as "2G", "1.5G", "2048M", "512MiB" (binary units, case-insensitive).</summary>
public static partial class SizeText
{
    public const long MiB = 1024 * 1024;

    public static bool TryParseBytes(string text, out long bytes)
    {
        bytes = 0;
        var match = SizePattern().Match(text);
        if (!match.Success)
            return false;

        var number = decimal.Parse(match.Groups["number"].Value, CultureInfo.InvariantCulture);
        var unit = char.ToUpperInvariant(match.Groups["unit"].Value[0]) switch
        {
            'K' => 1024m,
            'M' => MiB,
            'G' => MiB * 1024m,
            _ => MiB * 1024m * 1024m,
        };
        var exact = number * unit;
        if (exact != decimal.Truncate(exact) || exact > long.MaxValue)
            return false;

        bytes = (long)exact;
        return true;
    }

    [GeneratedRegex(@"\A(?<number>[0-9]{1,12}(\.[0-9]{1,6})?) ?(?<unit>[KMGT])(i?B)?\z", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex SizePattern();
}
