using System.Text.Json;
using System.Text.RegularExpressions;
using Lethe.Machine.Audit;

namespace Lethe.Tests.Secrets;

public sealed partial class SpdxSbomTests
{
    private const string Status = """
        Package: bash
        Status: install ok installed
        Architecture: amd64
        Version: 5.2.15-2+b13

        Package: removed-one
        Status: deinstall ok config-files
        Architecture: amd64
        Version: 1.0

        Package: libc6
        Status: install ok installed
        Architecture: amd64
        Source: glibc
        Version: 2.36-9+deb12u14
        Description: GNU C Library
         a continuation line: Version: 9
        """;

    private static readonly Dictionary<string, string> Copyrights = new()
    {
        ["bash"] = "Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n\nFiles: *\nLicense: GPL-3+\n\nFiles: lib/x\nLicense: GPL-2+ or Artistic\n",
    };

    private static JsonElement Document() =>
        JsonDocument.Parse(SpdxSbom.Build("abc123", SpdxSbom.InstalledPackages(Status), Copyrights, 1704067200)).RootElement;

    [Fact]
    public void Has_every_field_the_SPDX_2_3_schema_requires()
    {
        var document = Document();
        document.GetProperty("spdxVersion").GetString().ShouldBe("SPDX-2.3");
        document.GetProperty("dataLicense").GetString().ShouldBe("CC0-1.0");
        document.GetProperty("SPDXID").GetString().ShouldBe("SPDXRef-DOCUMENT");
        document.GetProperty("name").GetString().ShouldNotBeNullOrWhiteSpace();
        Uri.TryCreate(document.GetProperty("documentNamespace").GetString(), UriKind.Absolute, out var space).ShouldBeTrue();
        space!.Fragment.ShouldBeEmpty();
        var creation = document.GetProperty("creationInfo");
        DateTimeOffset.TryParse(creation.GetProperty("created").GetString(), out _).ShouldBeTrue();
        creation.GetProperty("creators").EnumerateArray().ShouldAllBe(c => CreatorForm().IsMatch(c.GetString()!));
        foreach (var package in document.GetProperty("packages").EnumerateArray())
        {
            SpdxId().IsMatch(package.GetProperty("SPDXID").GetString()!).ShouldBeTrue();
            foreach (var field in new[] { "name", "versionInfo", "downloadLocation", "licenseConcluded", "licenseDeclared", "copyrightText" })
                package.GetProperty(field).GetString().ShouldNotBeNullOrWhiteSpace(field);
        }
        document.GetProperty("relationships").EnumerateArray().ShouldAllBe(r => r.GetProperty("relationshipType").GetString() == "DESCRIBES");
    }

    [Fact]
    public void Lists_installed_packages_with_versions_and_licenses()
    {
        var packages = Document().GetProperty("packages").EnumerateArray().ToList();
        packages.Select(p => p.GetProperty("name").GetString()).ShouldBe(["bash", "libc6"]);
        packages[0].GetProperty("versionInfo").GetString().ShouldBe("5.2.15-2+b13");
        packages[0].GetProperty("licenseDeclared").GetString().ShouldBe("Artistic-1.0-Perl AND GPL-2.0-or-later AND GPL-3.0-or-later");
        packages[1].GetProperty("licenseDeclared").GetString().ShouldBe("NOASSERTION");
        packages[1].GetProperty("externalRefs")[0].GetProperty("referenceLocator").GetString().ShouldBe("pkg:deb/debian/libc6@2.36-9%2Bdeb12u14?arch=amd64&upstream=glibc");
    }

    [Fact]
    public void Is_deterministic() =>
        SpdxSbom.Build("d", SpdxSbom.InstalledPackages(Status), Copyrights, 1704067200)
            .ShouldBe(SpdxSbom.Build("d", SpdxSbom.InstalledPackages(Status), Copyrights, 1704067200));

    [Fact]
    public void A_copyright_file_that_is_not_machine_readable_gives_NOASSERTION() =>
        SpdxSbom.LicenseOf("This package was debianized by someone.\nLicense: GPL\n").ShouldBe("NOASSERTION");

    [GeneratedRegex(@"\ASPDXRef-[A-Za-z0-9.-]+\z")]
    private static partial Regex SpdxId();

    [GeneratedRegex(@"\A(Tool|Organization|Person): .+\z")]
    private static partial Regex CreatorForm();
}
