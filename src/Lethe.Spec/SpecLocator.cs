namespace Lethe.Spec;

/// <summary>Decides which spec file a command uses.</summary>
public static class SpecLocator
{
    public const string FileName = "lethe.yaml";

    /// <summary>
    /// The explicit <paramref name="specOption"/> (resolved against <paramref name="currentDirectory"/>, even if it
    /// does not exist, so loading reports it), else ./lethe.yaml when present, else null: use the embedded default.
    /// </summary>
    public static string? Locate(string? specOption, string currentDirectory)
    {
        if (specOption is not null)
            return Path.GetFullPath(specOption, currentDirectory);

        var local = Path.Combine(currentDirectory, FileName);
        return File.Exists(local) ? local : null;
    }
}
