using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Lethe.Machine.Audit;

/// <summary>One installed Debian package as dpkg's status file lists it.</summary>
public sealed record DebianPackage(string Name, string Version, string Architecture, string? Source);

/// <summary>
/// Pure: an SPDX 2.3 JSON document for an image, from its dpkg status and its packages' copyright files.
/// SPDX (not CycloneDX) because Debian's DEP-5 copyright files name licenses, which SPDX carries as
/// license expressions, and it is the ISO standard (ISO/IEC 5962). Deterministic: the same image gives the
/// same bytes (packages sorted, the creation time fixed to the image build's SOURCE_DATE_EPOCH).
/// </summary>
public static partial class SpdxSbom
{
    public static IReadOnlyList<DebianPackage> InstalledPackages(string dpkgStatus)
    {
        var packages = new List<DebianPackage>();
        foreach (var stanza in dpkgStatus.Replace("\r", "", StringComparison.Ordinal).Split("\n\n", StringSplitOptions.RemoveEmptyEntries))
        {
            var fields = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            foreach (var line in stanza.Split('\n'))
                if (line.Length > 0 && !char.IsWhiteSpace(line[0]) && line.IndexOf(':') is > 0 and var colon)
                    fields[line[..colon]] = line[(colon + 1)..].Trim();
            if (fields.GetValueOrDefault("Status") is { } status && status.EndsWith(" installed", StringComparison.Ordinal)
                && fields.GetValueOrDefault("Package") is { Length: > 0 } name && fields.GetValueOrDefault("Version") is { Length: > 0 } version)
                packages.Add(new DebianPackage(name, version, fields.GetValueOrDefault("Architecture") ?? "all",
                    fields.GetValueOrDefault("Source") is { Length: > 0 } source ? source.Split(' ')[0] : null));
        }
        return [.. packages.OrderBy(p => p.Name, StringComparer.Ordinal).ThenBy(p => p.Architecture, StringComparer.Ordinal)];
    }

    /// <summary>The SPDX license expression of a DEP-5 copyright file: its License: short names joined with AND,
    /// mapped to SPDX identifiers where one exists, else LicenseRef-NAME; NOASSERTION when the file is not DEP-5.</summary>
    public static string LicenseOf(string? copyright)
    {
        if (copyright is null || !copyright.StartsWith("Format:", StringComparison.Ordinal))
            return "NOASSERTION";
        var names = new SortedSet<string>(StringComparer.Ordinal);
        foreach (Match match in LicenseField().Matches(copyright))
            foreach (var part in OrAnd().Split(match.Groups["value"].Value.Trim()))
                if (part.Trim().Trim('(', ')') is { Length: > 0 } name)
                    names.Add(SpdxId(name));
        return names.Count == 0 ? "NOASSERTION" : string.Join(" AND ", names);
    }

    public static string Build(string imageDigest, IReadOnlyList<DebianPackage> packages, IReadOnlyDictionary<string, string> copyrights, long sourceDateEpoch)
    {
        var ids = new HashSet<string>(StringComparer.Ordinal);
        var packageNodes = new JsonArray();
        var relationships = new JsonArray();
        foreach (var package in packages)
        {
            var id = UniqueId("SPDXRef-Package-" + IdChars().Replace(package.Name, "-"), ids);
            var node = new JsonObject
            {
                ["SPDXID"] = id,
                ["name"] = package.Name,
                ["versionInfo"] = package.Version,
                ["downloadLocation"] = "NOASSERTION",
                ["filesAnalyzed"] = false,
                ["licenseConcluded"] = "NOASSERTION",
                ["licenseDeclared"] = LicenseOf(copyrights.GetValueOrDefault(package.Name)),
                ["copyrightText"] = "NOASSERTION",
                ["supplier"] = "Organization: Debian",
                ["externalRefs"] = new JsonArray(new JsonObject
                {
                    ["referenceCategory"] = "PACKAGE-MANAGER",
                    ["referenceType"] = "purl",
                    ["referenceLocator"] = $"pkg:deb/debian/{Uri.EscapeDataString(package.Name)}@{Uri.EscapeDataString(package.Version)}?arch={package.Architecture}"
                        + (package.Source is { } source ? $"&upstream={Uri.EscapeDataString(source)}" : ""),
                }),
            };
            packageNodes.Add(node);
            relationships.Add(new JsonObject { ["spdxElementId"] = "SPDXRef-DOCUMENT", ["relationshipType"] = "DESCRIBES", ["relatedSpdxElement"] = id });
        }
        var document = new JsonObject
        {
            ["spdxVersion"] = "SPDX-2.3",
            ["dataLicense"] = "CC0-1.0",
            ["SPDXID"] = "SPDXRef-DOCUMENT",
            ["name"] = $"lethe-image-{imageDigest}",
            ["documentNamespace"] = $"https://lethe.invalid/spdx/image/{imageDigest}",
            ["creationInfo"] = new JsonObject
            {
                ["created"] = DateTimeOffset.FromUnixTimeSeconds(sourceDateEpoch).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture),
                ["creators"] = new JsonArray("Tool: lethe"),
            },
            ["packages"] = packageNodes,
            ["relationships"] = relationships,
        };
        return document.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n";
    }

    private static string UniqueId(string id, HashSet<string> taken)
    {
        var candidate = id;
        for (var n = 2; !taken.Add(candidate); n++)
            candidate = $"{id}-{n}";
        return candidate;
    }

    private static readonly Dictionary<string, string> KnownIds = new(StringComparer.OrdinalIgnoreCase)
    {
        ["GPL-1+"] = "GPL-1.0-or-later", ["GPL-2"] = "GPL-2.0-only", ["GPL-2+"] = "GPL-2.0-or-later", ["GPL-3"] = "GPL-3.0-only",
        ["GPL-3+"] = "GPL-3.0-or-later", ["LGPL-2"] = "LGPL-2.0-only", ["LGPL-2+"] = "LGPL-2.0-or-later", ["LGPL-2.1"] = "LGPL-2.1-only",
        ["LGPL-2.1+"] = "LGPL-2.1-or-later", ["LGPL-3"] = "LGPL-3.0-only", ["LGPL-3+"] = "LGPL-3.0-or-later", ["AGPL-3+"] = "AGPL-3.0-or-later",
        ["GFDL-1.3+"] = "GFDL-1.3-or-later", ["Apache-2.0"] = "Apache-2.0", ["MIT"] = "MIT", ["Expat"] = "MIT", ["ISC"] = "ISC",
        ["BSD-2-clause"] = "BSD-2-Clause", ["BSD-3-clause"] = "BSD-3-Clause", ["BSD-4-clause"] = "BSD-4-Clause", ["Zlib"] = "Zlib",
        ["MPL-2.0"] = "MPL-2.0", ["Artistic"] = "Artistic-1.0-Perl", ["CC0-1.0"] = "CC0-1.0", ["public-domain"] = "LicenseRef-public-domain",
        ["OpenSSL"] = "OpenSSL", ["curl"] = "curl", ["X11"] = "X11", ["PSF-2"] = "PSF-2.0", ["BSL-1.0"] = "BSL-1.0",
    };

    private static string SpdxId(string debianName) =>
        KnownIds.TryGetValue(debianName, out var id) ? id : "LicenseRef-" + IdChars().Replace(debianName, "-");

    [GeneratedRegex(@"^License:[ \t]*(?<value>[^\n]*)", RegexOptions.Multiline | RegexOptions.CultureInvariant)]
    private static partial Regex LicenseField();

    [GeneratedRegex(@"\s+(?:or|and|OR|AND)\s+|,\s*", RegexOptions.CultureInvariant)]
    private static partial Regex OrAnd();

    [GeneratedRegex("[^A-Za-z0-9.-]", RegexOptions.CultureInvariant)]
    private static partial Regex IdChars();
}
