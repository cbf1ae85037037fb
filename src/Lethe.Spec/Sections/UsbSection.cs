using System.Text.RegularExpressions;
using Lethe.Spec.Reading;
using YamlDotNet.RepresentationModel;

namespace Lethe.Spec.Sections;

/// <summary>usb: [{vendor: "1050", product: "0407"}]: host USB devices attached to the machine.</summary>
internal sealed partial class UsbSection : ISpecSection
{
    public const int MaxDevices = 8;
    private const string IdForm = "4 hex digits in quotes, like \"1050\"";

    public string Key => "usb";

    public MachineSpec Read(YamlNode value, MachineSpec spec, NodeReader reader)
    {
        var devices = new List<UsbDeviceSpec>();
        foreach (var (item, path) in reader.Items(value, Key, "a list of {vendor, product} entries"))
        {
            if (item is not YamlMappingNode)
            {
                reader.ReportExpected(item, path, "a mapping like {vendor: \"1050\", product: \"0407\"}");
                continue;
            }
            string? vendor = null, product = null;
            reader.Fields(item, path,
            [
                new("vendor", (node, at) => vendor = reader.TryText(node, at, UsbId(), IdForm, out var id) ? id.ToLowerInvariant() : null),
                new("product", (node, at) => product = reader.TryText(node, at, UsbId(), IdForm, out var id) ? id.ToLowerInvariant() : null),
            ]);
            foreach (var (key, seen) in new[] { ("vendor", vendor), ("product", product) })
                if (seen is null && !HasKey(item, key))
                    reader.Report(item, $"{path}: missing required key '{key}'");
            if (vendor is not null && product is not null)
            {
                var device = new UsbDeviceSpec(vendor, product);
                if (devices.Contains(device))
                    reader.Report(item, $"{path}: {vendor}:{product} is listed twice");
                else
                    devices.Add(device);
            }
        }
        if (devices.Count > MaxDevices)
            reader.Report(value, $"{Key}: at most {MaxDevices} devices");
        return spec with { Usb = devices };
    }

    private static bool HasKey(YamlNode item, string key) =>
        item is YamlMappingNode mapping && mapping.Children.Keys.OfType<YamlScalarNode>().Any(k => k.Value == key);

    [GeneratedRegex(@"\A[0-9A-Fa-f]{4}\z")]
    private static partial Regex UsbId();
}
