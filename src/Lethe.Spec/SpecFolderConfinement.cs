namespace Lethe.Spec;

/// <summary>
/// A spec reaches host files only inside its own folder: image.files[].src and workspace.path, once links
/// are resolved, must be that folder or under it. A spec from a cloned repository could otherwise copy
/// the caller's SSH key into an image, or share another user's home. Only the caller, on the command
/// line (--allow-outside-spec-folder), can lift this; the spec itself cannot.
/// </summary>
public static class SpecFolderConfinement
{
    public const string OverrideFlag = "--allow-outside-spec-folder";

    /// <summary>Pure: whether a resolved path is the resolved spec folder or inside it.</summary>
    public static bool IsInside(string realSpecFolder, string realCandidate)
    {
        var folder = realSpecFolder.TrimEnd('/');
        return realCandidate == realSpecFolder || realCandidate.StartsWith(folder + "/", StringComparison.Ordinal);
    }

    /// <summary>Pure: the message for a path that leaves the folder (the caller adds the key path).</summary>
    public static string Outside(string written, string realCandidate, string realSpecFolder) =>
        $"'{written}' leads outside the spec's folder {realSpecFolder} (to {realCandidate}); a spec may only use files under its own folder, unless you run lethe with {OverrideFlag}";
}
