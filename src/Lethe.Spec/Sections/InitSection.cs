using Lethe.Spec.Reading;
using YamlDotNet.RepresentationModel;

namespace Lethe.Spec.Sections;

internal sealed class InitSection : ISpecSection
{
    private static readonly Dictionary<string, InitSystem> Systems = new()
    {
        ["fast"] = InitSystem.Fast,
        ["systemd"] = InitSystem.Systemd,
    };

    public string Key => "init";

    public MachineSpec Read(YamlNode value, MachineSpec spec, NodeReader reader) =>
        reader.TryChoice(value, Key, Systems, out var init) ? spec with { Init = init } : spec;
}
