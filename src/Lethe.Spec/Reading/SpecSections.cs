using Lethe.Spec.Sections;
using YamlDotNet.RepresentationModel;

namespace Lethe.Spec.Reading;

internal static class SpecSections
{
    // To add a top-level section: write one ISpecSection and list it here (this order is used in messages).
    public static readonly IReadOnlyList<ISpecSection> All =
    [
        new NameSection(),
        new ImageSection(),
        new UserSection(),
        new ResourcesSection(),
        new AccelSection(),
        new InitSection(),
        new WarmSection(),
        new EnvSection(),
        new PersistSection(),
        new IdentitySection(),
        new WorkspaceSection(),
        new ScratchSection(),
        new NetworkSection(),
        new SshSection(),
        new GpgSection(),
        new UsbSection(),
        new ShareSection(),
        new UpdateSection(),
    ];

    /// <summary>What an empty spec means; kept equal to default.yaml.</summary>
    public static MachineSpec BuiltIn() => new()
    {
        Name = "lethe",
        Image = new ImageSpec(),
        User = new UserSpec(),
        Resources = new ResourceSpec(),
    };

    public static MachineSpec Read(YamlNode root, NodeReader reader)
    {
        var spec = BuiltIn();
        var fields = All.Select(section => new Field(section.Key, (value, _) => spec = section.Read(value, spec, reader)));
        reader.Fields(root, NodeReader.TopLevel, [.. fields]);
        return spec;
    }
}
