using Lethe.Spec.Reading;
using YamlDotNet.RepresentationModel;

namespace Lethe.Spec.Sections;

internal sealed class WarmSection : ISpecSection
{
    public string Key => "warm";

    public MachineSpec Read(YamlNode value, MachineSpec spec, NodeReader reader) =>
        reader.TryBoolean(value, Key, out var warm) ? spec with { Warm = warm } : spec;
}
