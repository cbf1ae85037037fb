using Lethe.Core;
using Lethe.Machine.Host;

namespace Lethe.Cli.Host;

/// <summary>The host programs lethe calls, and the Debian packages that provide them.</summary>
public static class HostTools
{
    public sealed record Tool(string Program, string Package, string NeededFor);

    public static readonly IReadOnlyList<Tool> All =
    [
        new("qemu-system-x86_64", "qemu-system-x86", "run"),
        new("setpriv", "util-linux", "run"),
        new("mmdebstrap", "mmdebstrap", "build"),
        new("mkfs.erofs", "erofs-utils", "build"),
        new("xz", "xz-utils", "build"),
        // Only a user who is not root needs it: the image build maps subordinate ids into a user namespace.
        new("newuidmap", "uidmap", BuildAsUser),
    ];

    public const string BuildAsUser = "build-as-user";

    /// <summary>The tools this process needs for a purpose (run, build or all).</summary>
    public static IEnumerable<Tool> NeededFor(string purpose, bool asRoot) =>
        All.Where(t => t.NeededFor == purpose || purpose == "all" || (t.NeededFor == BuildAsUser && !asRoot && purpose is "build" or "all"));

    public static IReadOnlyList<Tool> Missing(IEnumerable<Tool> tools, Func<string, bool>? exists = null)
    {
        exists ??= program => FindOnPath(program) is not null;
        return tools.Where(t => !exists(t.Program)).ToList();
    }

    /// <summary>Throws exit 3 naming every missing tool and the apt-get line that installs them.</summary>
    public static void Require(string purpose)
    {
        var asRoot = Environment.IsPrivilegedProcess;
        var missing = Missing(NeededFor(purpose, asRoot));
        if (missing.Count > 0)
            throw new HostException(MissingMessage(missing, asRoot));
    }

    public static string MissingMessage(IReadOnlyList<Tool> missing, bool asRoot = true) =>
        $"missing host tools: {string.Join(", ", missing.Select(t => t.Program))}; install them with: {HostReadiness.InstallCommand(Packages(missing), asRoot)}";

    public static IReadOnlyList<string> Packages(IEnumerable<Tool> tools) => [.. tools.Select(t => t.Package).Distinct()];

    public static string? FindOnPath(string program)
    {
        var path = Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin:/bin";
        foreach (var dir in path.Split(':', StringSplitOptions.RemoveEmptyEntries).Concat(["/usr/sbin", "/sbin"]))
        {
            var candidate = Path.Combine(dir, program);
            if (File.Exists(candidate))
                return candidate;
        }
        return null;
    }
}
