using System.Globalization;
using Lethe.Spec;

namespace Lethe.Machine.Usb;

/// <summary>
/// Pure: QEMU's arguments for the spec's usb devices. The microvm machine has no PCI bus unless it is
/// given pcie=on; the xHCI controller (qemu-xhci) is a PCI device, and each host device is a usb-host on
/// it, chosen by vendor and product id. Without devices the arguments are left exactly as they were.
/// </summary>
public static class UsbArguments
{
    public const string ControllerId = "usb";

    public static IReadOnlyList<string> Apply(IReadOnlyList<string> qemuArguments, IReadOnlyList<UsbDeviceSpec> devices)
    {
        if (devices.Count == 0)
            return qemuArguments;
        var machine = IndexOfMachine(qemuArguments);
        var arguments = qemuArguments.ToList();
        if (!arguments[machine + 1].Split(',').Contains("pcie=on"))
            arguments[machine + 1] += ",pcie=on";
        arguments.AddRange(["-device", $"qemu-xhci,id={ControllerId}"]);
        foreach (var device in devices)
            arguments.AddRange(["-device", HostDevice(device)]);
        return arguments;
    }

    public static string HostDevice(UsbDeviceSpec device) =>
        $"usb-host,bus={ControllerId}.0,vendorid=0x{Id(device.Vendor)},productid=0x{Id(device.Product)}";

    /// <summary>The spec holds 4 lower-case hex digits; anything else never reaches QEMU's option parser.</summary>
    private static string Id(string id) =>
        id.Length == 4 && int.TryParse(id, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out _) && id == id.ToLowerInvariant()
            ? id
            : throw new ArgumentException($"not a USB id: '{id}'", nameof(id));

    private static int IndexOfMachine(IReadOnlyList<string> arguments)
    {
        for (var i = 0; i < arguments.Count - 1; i++)
            if (arguments[i] == "-M" && arguments[i + 1].StartsWith("microvm", StringComparison.Ordinal))
                return i;
        throw new ArgumentException("no -M microvm in QEMU's arguments", nameof(arguments));
    }
}
