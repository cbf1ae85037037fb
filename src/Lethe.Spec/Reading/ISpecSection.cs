using YamlDotNet.RepresentationModel;

namespace Lethe.Spec.Reading;

/// <summary>Reads one top-level key of lethe.yaml into the spec. Register new sections in <see cref="SpecSections"/>.</summary>
internal interface ISpecSection
{
    string Key { get; }

    /// <summary>Returns <paramref name="spec"/> updated with the section's value; problems go to <paramref name="reader"/>.</summary>
    MachineSpec Read(YamlNode value, MachineSpec spec, NodeReader reader);
}
