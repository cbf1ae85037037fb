using System.Text;
using Lethe.Core;

namespace Lethe.Image.Lock;

public sealed record LockedPackage(string Name, string Version);

/// <summary>A locked package whose version changed between two builds (the mirror no longer had it).</summary>
public sealed record PackageMove(string Name, string LockedVersion, string BuiltVersion);

/// <summary>
/// The exact Debian package versions an image was built from (the lock file). Later builds pin every
/// package to its locked version so that the same spec gives the same image.
/// </summary>
public sealed record PackageLock
{
    private const string SuitePrefix = "suite: ";

    public PackageLock(string suite, IEnumerable<LockedPackage> packages)
    {
        Suite = suite;
        Packages = [.. packages.DistinctBy(package => package.Name).OrderBy(package => package.Name, StringComparer.Ordinal)];
    }

    public string Suite { get; }

    /// <summary>Sorted by name, each once.</summary>
    public IReadOnlyList<LockedPackage> Packages { get; }

    /// <summary>The file text. Canonical: it goes into the image key as it is.</summary>
    public string Format()
    {
        var text = new StringBuilder()
            .Append("# lethe.lock: the exact Debian package versions of the image, written by lethe build.\n")
            .Append("# Keep it with the spec to rebuild the same image; delete it to take the newest versions.\n")
            .Append(SuitePrefix).Append(Suite).Append('\n');
        foreach (var package in Packages)
            text.Append(package.Name).Append('=').Append(package.Version).Append('\n');
        return text.ToString();
    }

    public static PackageLock Parse(string text, string fileName)
    {
        string? suite = null;
        var packages = new List<LockedPackage>();
        var lineNumber = 0;
        foreach (var rawLine in text.Split('\n'))
        {
            lineNumber++;
            var line = rawLine.Trim();
            if (line.Length == 0 || line.StartsWith('#'))
                continue;
            if (line.StartsWith(SuitePrefix, StringComparison.Ordinal))
            {
                suite = line[SuitePrefix.Length..].Trim();
                continue;
            }
            var equals = line.IndexOf('=');
            if (equals <= 0 || equals == line.Length - 1)
                throw new LetheException($"{fileName}:{lineNumber}: expected package=version");
            packages.Add(new LockedPackage(line[..equals], line[(equals + 1)..]));
        }
        if (string.IsNullOrEmpty(suite))
            throw new LetheException($"{fileName}: no 'suite:' line");
        return new PackageLock(suite, packages);
    }

    /// <summary>Reads <c>dpkg-query -W -f '${db:Status-Abbrev}${Package}=${Version}\n'</c> output.</summary>
    public static PackageLock FromDpkgQuery(string suite, string output)
    {
        var packages = output.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Where(line => line.StartsWith("ii ", StringComparison.Ordinal))
            .Select(line => line[3..].Trim())
            .Select(line => (Line: line, Separator: line.IndexOf('=')))
            .Where(item => item.Separator > 0)
            .Select(item => new LockedPackage(item.Line[..item.Separator], item.Line[(item.Separator + 1)..]));
        return new PackageLock(suite, packages);
    }

    public const string DpkgQueryFormat = "${db:Status-Abbrev}${Package}=${Version}\n";

    /// <summary>An apt preferences file that makes apt choose exactly the locked versions.</summary>
    public string AptPreferences()
    {
        var text = new StringBuilder();
        foreach (var package in Packages)
            text.Append("Package: ").Append(package.Name).Append('\n')
                .Append("Pin: version ").Append(package.Version).Append('\n')
                .Append("Pin-Priority: 1001\n\n");
        return text.ToString();
    }

    /// <summary>Packages of this lock that <paramref name="built"/> has at another version.</summary>
    public IReadOnlyList<PackageMove> MovesTo(PackageLock built)
    {
        var builtVersions = built.Packages.ToDictionary(package => package.Name, package => package.Version, StringComparer.Ordinal);
        return
        [
            .. Packages
                .Where(package => builtVersions.TryGetValue(package.Name, out var version) && version != package.Version)
                .Select(package => new PackageMove(package.Name, package.Version, builtVersions[package.Name])),
        ];
    }

    public bool SameAs(PackageLock other) => Format() == other.Format();
}
