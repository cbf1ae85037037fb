using System.Globalization;
using Lethe.Core;
using Lethe.Spec;

namespace Lethe.Machine.Usb;

/// <summary>What the host check needs of this host: where sysfs and usbfs are, who runs lethe, and whether QEMU could open a node.</summary>
/// <param name="DevicesRoot">/sys/bus/usb/devices: one entry per device (and interface), with idVendor, idProduct, busnum and devnum.</param>
/// <param name="NodesRoot">/dev/bus/usb: the nodes BBB/DDD that QEMU's usb-host opens read-write.</param>
/// <param name="CanReadWrite">Whether QEMU, as lethe starts it, can open the node read-write.</param>
/// <param name="AsRoot">lethe runs as root, and so starts QEMU under an unprivileged account of its own.</param>
public sealed record UsbHost(string DevicesRoot, string NodesRoot, string UserName, bool AsRoot, Func<string, bool> CanReadWrite)
{
    /// <summary>This host. As root, lethe runs QEMU under an unprivileged account, so the node must be open to everyone;
    /// as a user, it must open read-write for that user.</summary>
    public static UsbHost System { get; } = ForRoot(Environment.GetEnvironmentVariable(TestRootVariable));

    /// <summary>For tests only: a folder holding a fake sys/ (devices) and dev/ (nodes) tree instead of the host's.
    /// It can only fool this check, never QEMU, which opens the real device or fails.</summary>
    public const string TestRootVariable = "LETHE_USB_TEST_ROOT";

    private static UsbHost ForRoot(string? testRoot) => new(
        testRoot is { Length: > 0 } ? Path.Join(testRoot, "sys") : "/sys/bus/usb/devices",
        testRoot is { Length: > 0 } ? Path.Join(testRoot, "dev") : "/dev/bus/usb",
        Environment.UserName, PosixFiles.EffectiveUid == 0, PosixFiles.EffectiveUid == 0 ? OpenToOthers : OpensReadWrite);

    private static bool OpenToOthers(string node) =>
        PosixFiles.LStat(node) is { } facts && facts.Mode.HasFlag(UnixFileMode.OtherRead | UnixFileMode.OtherWrite);

    private static bool OpensReadWrite(string node)
    {
        try
        {
            using var handle = File.OpenHandle(node, FileMode.Open, FileAccess.ReadWrite);
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }
}

/// <summary>
/// Before boot: every usb device of the spec must be attached to this host (in sysfs, with its vendor and
/// product id) and its usbfs node open read-write to QEMU; else exit 3 with one line naming the device
/// and what is wrong, before QEMU is started.
/// </summary>
public static class UsbHostCheck
{
    public static void Require(IReadOnlyList<UsbDeviceSpec> devices, UsbHost host)
    {
        foreach (var device in devices)
            if (Problem(device, host) is { } problem)
                throw new HostException($"usb device {device.Vendor}:{device.Product}: {problem}");
    }

    /// <summary>Null when QEMU can attach the device; else what is wrong.</summary>
    public static string? Problem(UsbDeviceSpec device, UsbHost host)
    {
        var nodes = Nodes(device, host).ToList();
        if (nodes.Count == 0)
            return "not attached";
        if (nodes.FirstOrDefault(n => File.Exists(n) && host.CanReadWrite(n)) is not null)
            return null;
        var node = nodes[0];
        if (!File.Exists(node))
            return $"{node} is missing";
        return host.AsRoot
            ? $"{node} is not readable and writable by the unprivileged account QEMU runs as under root (add a udev rule giving it MODE=\"0666\", or run lethe as your user)"
            : $"{node} is not writable by {host.UserName} (add a udev rule: SUBSYSTEM==\"usb\", ATTR{{idVendor}}==\"{device.Vendor}\", ATTR{{idProduct}}==\"{device.Product}\", MODE=\"0660\", GROUP=\"plugdev\", and be in plugdev)";
    }

    /// <summary>The usbfs node of every attached device with these ids.</summary>
    private static IEnumerable<string> Nodes(UsbDeviceSpec device, UsbHost host)
    {
        IEnumerable<string> entries;
        try
        {
            entries = Directory.EnumerateFileSystemEntries(host.DevicesRoot).Order(StringComparer.Ordinal).ToList();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            yield break;
        }
        foreach (var entry in entries)
        {
            if (Read(entry, "idVendor") != device.Vendor || Read(entry, "idProduct") != device.Product)
                continue;
            if (int.TryParse(Read(entry, "busnum"), NumberStyles.None, CultureInfo.InvariantCulture, out var bus)
                && int.TryParse(Read(entry, "devnum"), NumberStyles.None, CultureInfo.InvariantCulture, out var number)
                && bus is > 0 and < 1000 && number is > 0 and < 1000)
                yield return Path.Join(host.NodesRoot, bus.ToString("D3", CultureInfo.InvariantCulture), number.ToString("D3", CultureInfo.InvariantCulture));
        }
    }

    private static string? Read(string entry, string attribute)
    {
        try
        {
            var path = Path.Join(entry, attribute);
            return File.Exists(path) ? File.ReadAllText(path).Trim().ToLowerInvariant() : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
