using System.Text.RegularExpressions;
using Lethe.Spec.Reading;
using YamlDotNet.RepresentationModel;

namespace Lethe.Spec.Sections;

internal sealed partial class UserSection : ISpecSection
{
    public const int MinUid = 1000;
    public const int MaxUid = 60000;

    public string Key => "user";

    public MachineSpec Read(YamlNode value, MachineSpec spec, NodeReader reader)
    {
        var user = spec.User;
        reader.Fields(value, Key,
        [
            new("name", (node, path) =>
            {
                if (reader.TryText(node, path, ValidUserName(), "a user name like 'dev' (lowercase letters, digits, '_', '-'; at most 32)", out var name))
                {
                    if (name == "root")
                        reader.Report(node, $"{path}: must not be 'root'; use 'sudo: true' for root access");
                    else
                        user = user with { Name = name };
                }
            }),
            new("uid", (node, path) =>
            {
                if (reader.TryInteger(node, path, MinUid, MaxUid, out var uid))
                    user = user with { Uid = uid };
            }),
            new("sudo", (node, path) =>
            {
                if (reader.TryBoolean(node, path, out var sudo))
                    user = user with { Sudo = sudo };
            }),
        ]);
        return spec with { User = user };
    }

    [GeneratedRegex(@"\A[a-z_][a-z0-9_-]{0,31}\z")]
    internal static partial Regex ValidUserName();
}
