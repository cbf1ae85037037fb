using System.Globalization;
using System.Text;

namespace Lethe.Machine.Export;

/// <summary>
/// metadata.yaml of an Incus/LXD image (pure): the mandatory architecture and creation_date, and
/// properties (description, os, release, name). The allowlist and the user ride along as properties too;
/// LXD keeps unknown properties and shows them in <c>lxc image info</c>.
/// </summary>
public static class LxcMetadata
{
    public static string Yaml(ContainerProfile profile, long creationDate)
    {
        var text = new StringBuilder()
            .Append("architecture: x86_64\n")
            .Append("creation_date: ").Append(creationDate.ToString(CultureInfo.InvariantCulture)).Append('\n')
            .Append("properties:\n");
        Property(text, "description", $"lethe machine {profile.Name}: Debian {profile.Suite}, user {profile.UserName}");
        Property(text, "os", "debian");
        Property(text, "release", profile.Suite);
        Property(text, "architecture", "x86_64");
        Property(text, "name", profile.Name);
        Property(text, "lethe.user", profile.UserName);
        Property(text, "lethe.persist", string.Join(' ', profile.Kept.Select(kept => kept.Path)));
        return text.ToString();
    }

    /// <summary>Every value double-quoted, with YAML's escapes, so no name or path can break the document.</summary>
    private static void Property(StringBuilder text, string name, string value) =>
        text.Append("  ").Append(name).Append(": ").Append(Quote(value)).Append('\n');

    public static string Quote(string value)
    {
        var quoted = new StringBuilder("\"");
        foreach (var c in value)
        {
            switch (c)
            {
                case '"': quoted.Append("\\\""); break;
                case '\\': quoted.Append("\\\\"); break;
                case var control when char.IsControl(control):
                    quoted.Append("\\x").Append(((int)control).ToString("x2", CultureInfo.InvariantCulture)); break;
                default: quoted.Append(c); break;
            }
        }
        return quoted.Append('"').ToString();
    }
}
