using YamlDotNet.RepresentationModel;

namespace Lethe.Spec.Reading;

/// <summary>A key allowed in a mapping and how to read its (non-null) value; the string is the value's dotted path.</summary>
internal sealed record Field(string Key, Action<YamlNode, string> Read);
