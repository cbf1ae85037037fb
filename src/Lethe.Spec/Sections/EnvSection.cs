using System.Text.RegularExpressions;
using Lethe.Spec.Reading;
using Lethe.Spec.Secrets;
using YamlDotNet.RepresentationModel;

namespace Lethe.Spec.Sections;

internal sealed partial class EnvSection : ISpecSection
{
    public string Key => "env";

    public MachineSpec Read(YamlNode value, MachineSpec spec, NodeReader reader)
    {
        var env = new Dictionary<string, string>(spec.Env, StringComparer.Ordinal);
        foreach (var (name, nameNode, valueNode) in reader.Map(value, Key, "a mapping of NAME: value"))
        {
            var path = NodeReader.Child(Key, name);
            if (!ValidName().IsMatch(name))
            {
                reader.Report(nameNode, $"{path}: variable names are letters, digits and '_', not starting with a digit");
                continue;
            }
            // Scalars keep their text exactly as written (1.10 stays "1.10"); an empty value sets an empty string.
            if (NodeReader.IsNull(valueNode))
                env[name] = "";
            else if (valueNode is YamlScalarNode { Value: { } text })
            {
                // The value is never repeated in the message: it may be a real secret.
                if (SecretScanner.Classify(name, text) is { } rule)
                    reader.Report(valueNode, $"{path}: this value looks like a secret ({rule}); env is for values that are not secret: "
                        + $"list {name} in ssh.send_env and set it on the host, so it reaches only the session");
                else
                    env[name] = text;
            }
            else
                reader.ReportExpected(valueNode, path, "a text, number or boolean value");
        }
        return spec with { Env = env };
    }

    [GeneratedRegex(@"\A[A-Za-z_][A-Za-z0-9_]*\z")]
    private static partial Regex ValidName();
}
