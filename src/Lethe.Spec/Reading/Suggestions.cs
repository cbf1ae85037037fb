namespace Lethe.Spec.Reading;

/// <summary>"Did you mean" hints for misspelt keys and values.</summary>
internal static class Suggestions
{
    private const int MaxTypos = 2;

    /// <summary>" (did you mean 'x'?)" for the closest candidate, or "" when none is close.</summary>
    public static string DidYouMean(string typed, IEnumerable<string> candidates)
    {
        var best = Closest(typed, candidates);
        return best is null ? "" : $" (did you mean '{best}'?)";
    }

    public static string? Closest(string typed, IEnumerable<string> candidates)
    {
        string? best = null;
        var bestScore = int.MaxValue;
        foreach (var candidate in candidates)
        {
            var score = Score(typed.ToLowerInvariant(), candidate.ToLowerInvariant());
            if (score < bestScore)
                (best, bestScore) = (candidate, score);
        }
        return best;
    }

    // Typos rank by edit distance; an abbreviation ("mem" for "memory") ranks after any typo.
    private static int Score(string typed, string candidate)
    {
        var distance = Levenshtein(typed, candidate);
        if (distance <= MaxTypos)
            return distance;
        if (typed.Length >= 2 && candidate.StartsWith(typed, StringComparison.Ordinal))
            return MaxTypos + 1;
        return int.MaxValue;
    }

    public static int Levenshtein(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++)
            previous[j] = j;

        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
                current[j] = Math.Min(substitution, Math.Min(previous[j] + 1, current[j - 1] + 1));
            }
            (previous, current) = (current, previous);
        }
        return previous[b.Length];
    }
}
