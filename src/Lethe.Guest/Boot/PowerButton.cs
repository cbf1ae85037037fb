using System.Diagnostics;
using Lethe.Protocol.Boot;

namespace Lethe.Guest.Boot;

/// <summary>
/// <c>lethe-init power-button</c>, a unit of an exported disk (<see cref="StandalonePlan.PowerButtonUnit"/>): waits
/// for the ACPI power button's input device, then for its key press, and asks systemd to power off cleanly.
/// </summary>
internal static class PowerButton
{
    public static int Run()
    {
        var device = WaitForDevice();
        using var input = new FileStream(device, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 0);
        var inputEvent = new byte[StandalonePlan.InputEventBytes];
        while (input.ReadAtLeast(inputEvent, inputEvent.Length, throwOnEndOfStream: false) == inputEvent.Length)
        {
            if (!StandalonePlan.IsPowerKeyPress(inputEvent))
                continue;
            Console.Error.WriteLine("lethe: the power button was pressed: powering off");
            using var poweroff = Process.Start("/bin/systemctl", "poweroff");
            poweroff?.WaitForExit();
            return 0;
        }
        return 1;
    }

    /// <summary>udev loads the button and evdev drivers after systemd starts; the device appears some time after.</summary>
    private static string WaitForDevice()
    {
        while (true)
        {
            foreach (var eventFolder in Directory.Exists("/sys/class/input") ? Directory.EnumerateDirectories("/sys/class/input", "event*") : [])
            {
                var nameFile = Path.Combine(eventFolder, "device", "name");
                var device = "/dev/input/" + Path.GetFileName(eventFolder);
                if (File.Exists(nameFile) && File.ReadAllText(nameFile).Trim() == StandalonePlan.PowerButtonDeviceName && File.Exists(device))
                    return device;
            }
            Thread.Sleep(1000);
        }
    }
}
