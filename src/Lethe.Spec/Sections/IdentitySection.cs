using Lethe.Spec.Reading;
using YamlDotNet.RepresentationModel;

namespace Lethe.Spec.Sections;

/// <summary>identity: keep (machine-id and SSH host keys survive reboots) or fresh.</summary>
internal sealed class IdentitySection : ISpecSection
{
    private static readonly Dictionary<string, IdentityMode> Modes = new()
    {
        ["keep"] = IdentityMode.Keep,
        ["fresh"] = IdentityMode.Fresh,
    };

    public string Key => "identity";

    public MachineSpec Read(YamlNode value, MachineSpec spec, NodeReader reader) =>
        reader.TryChoice(value, Key, Modes, out var identity) ? spec with { Identity = identity } : spec;
}
