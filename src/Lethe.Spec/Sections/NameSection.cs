using System.Text.RegularExpressions;
using Lethe.Spec.Reading;
using YamlDotNet.RepresentationModel;

namespace Lethe.Spec.Sections;

internal sealed partial class NameSection : ISpecSection
{
    public string Key => "name";

    public MachineSpec Read(YamlNode value, MachineSpec spec, NodeReader reader) =>
        reader.TryText(value, Key, ValidName(), "a name of lowercase letters, digits and '-' (at most 63, not starting with '-')", out var name)
            ? spec with { Name = name }
            : spec;

    [GeneratedRegex(@"\A[a-z0-9][a-z0-9-]{0,62}\z")]
    private static partial Regex ValidName();
}
