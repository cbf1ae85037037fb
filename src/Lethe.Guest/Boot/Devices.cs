namespace Lethe.Guest.Boot;

/// <summary>Finds lethe's devices by the names the host gave them, not by probe order.</summary>
internal static class Devices
{
    public static string WaitForDisk(string serial, TimeSpan timeout) =>
        WaitFor(() => FindDisk(serial), timeout) ?? throw new IOException($"no disk with serial {serial} appeared");

    public static string WaitForPort(string name, TimeSpan timeout) =>
        WaitFor(() => FindPort(name), timeout) ?? throw new IOException($"no virtio-serial port named {name} appeared");

    /// <summary>The virtio device ids present now (1 network, 2 block, 9 9p, …).</summary>
    public static IReadOnlySet<int> VirtioDeviceIds()
    {
        const string devices = "/sys/bus/virtio/devices";
        var ids = new HashSet<int>();
        if (!Directory.Exists(devices))
            return ids;
        foreach (var device in Directory.EnumerateDirectories(devices))
        {
            var idFile = Path.Combine(device, "device");
            if (File.Exists(idFile) && int.TryParse(File.ReadAllText(idFile).Trim().Replace("0x", "", StringComparison.Ordinal),
                    System.Globalization.NumberStyles.HexNumber, null, out var id))
                ids.Add(id);
        }
        return ids;
    }

    /// <summary>The serials of the virtio disks present now.</summary>
    public static IReadOnlySet<string> DiskSerials()
    {
        var serials = new HashSet<string>(StringComparer.Ordinal);
        if (!Directory.Exists("/sys/block"))
            return serials;
        foreach (var block in Directory.EnumerateDirectories("/sys/block", "vd*"))
        {
            var serialFile = Path.Combine(block, "serial");
            if (File.Exists(serialFile))
                serials.Add(File.ReadAllText(serialFile).Trim());
        }
        return serials;
    }

    /// <summary>A GPT partition by its name (PARTNAME in sysfs), on any bus; null when none appears in time.</summary>
    public static string? WaitForPartition(string name, TimeSpan timeout) => WaitFor(() => FindPartition(name), timeout);

    public static string? FindDiskBySerial(string serial) => FindDisk(serial);

    private static string? FindPartition(string name)
    {
        const string blocks = "/sys/class/block";
        if (!Directory.Exists(blocks))
            return null;
        foreach (var block in Directory.EnumerateDirectories(blocks))
        {
            var uevent = Path.Combine(block, "uevent");
            if (!File.Exists(uevent))
                continue;
            var lines = File.ReadAllLines(uevent);
            if (lines.Contains("DEVTYPE=partition", StringComparer.Ordinal) && lines.Contains("PARTNAME=" + name, StringComparer.Ordinal))
            {
                var device = "/dev/" + Path.GetFileName(block);
                return File.Exists(device) ? device : null;
            }
        }
        return null;
    }

    private static string? FindDisk(string serial)
    {
        if (!Directory.Exists("/sys/block"))
            return null;
        foreach (var block in Directory.EnumerateDirectories("/sys/block", "vd*"))
        {
            var serialFile = Path.Combine(block, "serial");
            if (File.Exists(serialFile) && File.ReadAllText(serialFile).Trim() == serial)
            {
                var device = "/dev/" + Path.GetFileName(block);
                return File.Exists(device) ? device : null;
            }
        }
        return null;
    }

    private static string? FindPort(string name)
    {
        const string ports = "/sys/class/virtio-ports";
        if (!Directory.Exists(ports))
            return null;
        foreach (var port in Directory.EnumerateDirectories(ports))
        {
            var nameFile = Path.Combine(port, "name");
            if (File.Exists(nameFile) && File.ReadAllText(nameFile).Trim() == name)
            {
                var device = "/dev/" + Path.GetFileName(port);
                return File.Exists(device) ? device : null;
            }
        }
        return null;
    }

    private static string? WaitFor(Func<string?> find, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            if (find() is { } found)
                return found;
            if (DateTime.UtcNow > deadline)
                return null;
            Thread.Sleep(5);
        }
    }
}
