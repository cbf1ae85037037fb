using Lethe.Spec.Reading;
using YamlDotNet.RepresentationModel;

namespace Lethe.Spec.Sections;

internal sealed class AccelSection : ISpecSection
{
    private static readonly Dictionary<string, AccelMode> Modes = new()
    {
        ["auto"] = AccelMode.Auto,
        ["kvm"] = AccelMode.Kvm,
        ["tcg"] = AccelMode.Tcg,
    };

    public string Key => "accel";

    public MachineSpec Read(YamlNode value, MachineSpec spec, NodeReader reader) =>
        reader.TryChoice(value, Key, Modes, out var accel) ? spec with { Accel = accel } : spec;
}
