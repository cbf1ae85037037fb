namespace Lethe.Spec.Sections;

/// <summary>Paths inside the machine: their segments, and the top-level folders a spec may not claim.</summary>
internal static class GuestPathText
{
    /// <summary>Filled by the kernel at every boot, so nothing put there by lethe would be seen.</summary>
    public static readonly string[] KernelRoots = ["proc", "sys", "dev", "run"];

    /// <summary>An empty tmpfs at every boot.</summary>
    public const string TmpRoot = "tmp";

    /// <summary>Where lethe mounts the persist disk; lethe's own.</summary>
    public const string PersistRoot = "persist";

    /// <summary>"/etc//./ssh/" gives [etc, ssh]: empty and "." segments are dropped, ".." is kept for the caller to refuse.</summary>
    public static List<string> Segments(string path) =>
        [.. path.Split('/').Where(segment => segment is not ("" or "."))];

    public static string Absolute(IEnumerable<string> segments) => "/" + string.Join('/', segments);
}
