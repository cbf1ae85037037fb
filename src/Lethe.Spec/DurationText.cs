using System.Globalization;

namespace Lethe.Spec;

/// <summary>Pure: "7d", "12h", "30m", "45s" (a whole number and one unit) as a TimeSpan.</summary>
public static class DurationText
{
    public static TimeSpan? TryParse(string text)
    {
        text = text.Trim();
        if (text.Length < 2 || !long.TryParse(text.AsSpan(0, text.Length - 1), NumberStyles.None, CultureInfo.InvariantCulture, out var count) || count <= 0)
            return null;
        try
        {
            return text[^1] switch
            {
                's' => TimeSpan.FromSeconds(count),
                'm' => TimeSpan.FromMinutes(count),
                'h' => TimeSpan.FromHours(count),
                'd' => TimeSpan.FromDays(count),
                _ => null,
            };
        }
        catch (OverflowException)
        {
            return null;
        }
    }
}
