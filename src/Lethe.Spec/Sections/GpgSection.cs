using Lethe.Spec.Reading;
using YamlDotNet.RepresentationModel;

namespace Lethe.Spec.Sections;

/// <summary>gpg: {forward_agent}.</summary>
internal sealed class GpgSection : ISpecSection
{
    public string Key => "gpg";

    public MachineSpec Read(YamlNode value, MachineSpec spec, NodeReader reader)
    {
        var gpg = spec.Gpg;
        reader.Fields(value, Key,
        [
            new("forward_agent", (node, path) => gpg = reader.TryBoolean(node, path, out var forward) ? gpg with { ForwardAgent = forward } : gpg),
        ]);
        return spec with { Gpg = gpg };
    }
}
