namespace Lethe.Spec.Secrets;

/// <summary>Shannon entropy of a text's characters, in bits per character.</summary>
public static class Entropy
{
    public static double BitsPerChar(ReadOnlySpan<char> text)
    {
        if (text.IsEmpty)
            return 0;
        var counts = new Dictionary<char, int>();
        foreach (var c in text)
            counts[c] = counts.GetValueOrDefault(c) + 1;
        var bits = 0.0;
        foreach (var count in counts.Values)
        {
            var p = (double)count / text.Length;
            bits -= p * Math.Log2(p);
        }
        return bits;
    }
}
