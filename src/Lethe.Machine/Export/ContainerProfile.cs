using System.Globalization;
using Lethe.Spec;

namespace Lethe.Machine.Export;

/// <summary>One kept path of the allowlist as a container sees it: absolute, and whether it is a file.</summary>
public sealed record KeptPath(string Path, bool IsFile);

/// <summary>
/// What a container export carries of the spec (pure): the user who runs, the environment, and the
/// allowlist, which a container runtime keeps on a volume while everything else stays read-only or tmpfs.
/// </summary>
public sealed record ContainerProfile(
    string Name,
    string Suite,
    string UserName,
    int Uid,
    bool Sudo,
    string Home,
    IReadOnlyList<string> Environment,
    IReadOnlyList<KeptPath> Kept)
{
    public const string SearchPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    public static ContainerProfile From(MachineSpec spec)
    {
        var home = $"/home/{spec.User.Name}";
        var environment = new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            ["PATH"] = SearchPath,
            ["HOME"] = home,
            ["USER"] = spec.User.Name,
            ["LANG"] = "C.UTF-8",
        };
        foreach (var (name, value) in spec.Env)
            environment[name] = value;
        return new ContainerProfile(
            spec.Name,
            spec.Image.Suite,
            spec.User.Name,
            spec.User.Uid,
            spec.User.Sudo,
            home,
            [.. environment.Select(pair => $"{pair.Key}={pair.Value}")],
            [.. spec.Persist.Paths
                .Select(entry => new KeptPath(entry.GuestPath(home), entry.Type == PersistEntryType.File))
                .DistinctBy(kept => kept.Path)
                .OrderBy(kept => kept.Path, StringComparer.Ordinal)]);
    }

    /// <summary>The uid as the OCI config's User: numeric, so that a runtime can prove it is not root.</summary>
    public string UidText => Uid.ToString(CultureInfo.InvariantCulture);
}
