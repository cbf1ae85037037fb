using Lethe.Spec.Reading;
using YamlDotNet.RepresentationModel;

namespace Lethe.Spec.Sections;

/// <summary>share: {git_config}: host configuration staged into the machine.</summary>
internal sealed class ShareSection : ISpecSection
{
    public string Key => "share";

    public MachineSpec Read(YamlNode value, MachineSpec spec, NodeReader reader)
    {
        var share = spec.Share;
        reader.Fields(value, Key,
        [
            new("git_config", (node, path) => share = reader.TryBoolean(node, path, out var stage) ? share with { GitConfig = stage } : share),
        ]);
        return spec with { Share = share };
    }
}
