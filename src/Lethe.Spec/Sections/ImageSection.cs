using System.Text.RegularExpressions;
using Lethe.Spec.Reading;
using YamlDotNet.RepresentationModel;

namespace Lethe.Spec.Sections;

internal sealed partial class ImageSection : ISpecSection
{
    private static readonly Dictionary<string, string> Suites = new()
    {
        ["bookworm"] = "bookworm",
        ["trixie"] = "trixie",
    };

    private const string PackageForm = "a Debian package name like 'git' or 'git=1:2.39.5-0+deb12u1'";

    public string Key => "image";

    public MachineSpec Read(YamlNode value, MachineSpec spec, NodeReader reader)
    {
        var image = spec.Image;
        reader.Fields(value, Key,
        [
            new("suite", (node, path) =>
            {
                if (reader.TryChoice(node, path, Suites, out var suite))
                    image = image with { Suite = suite };
            }),
            new("packages", (node, path) => image = image with { Packages = ReadPackages(node, path, reader) }),
            new("files", (node, path) => image = image with { Files = ImageFilesReader.Read(node, path, reader) }),
        ]);
        return spec with { Image = image };
    }

    private static List<string> ReadPackages(YamlNode node, string path, NodeReader reader)
    {
        var packages = new List<string>();
        var firstSeenAt = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (item, itemPath) in reader.Items(node, path, "a list of Debian package names"))
        {
            if (!reader.TryText(item, itemPath, ValidPackage(), PackageForm, out var package))
                continue;
            var name = package.Split('=')[0];
            if (firstSeenAt.TryGetValue(name, out var first))
            {
                reader.Report(item, $"{itemPath}: package '{name}' is already listed at {first}");
                continue;
            }
            firstSeenAt[name] = itemPath;
            packages.Add(package);
        }
        return packages;
    }

    [GeneratedRegex(@"\A[a-z0-9][a-z0-9+.-]+(=[A-Za-z0-9][A-Za-z0-9.+~:-]*)?\z")]
    private static partial Regex ValidPackage();
}
