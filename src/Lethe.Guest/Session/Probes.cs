using Lethe.Guest.Native;

namespace Lethe.Guest.Session;

/// <summary>Facts lethe verify asks the guest kernel for, read with the guest's own syscalls.</summary>
internal static class Probes
{
    /// <summary>Prints the target types of a device-mapper mapping (never its parameters: they hold the key).</summary>
    public static int DeviceMapperTargets(string mapping)
    {
        try
        {
            using var control = DeviceMapper.Open();
            Console.WriteLine(string.Join(' ', control.TargetTypes(mapping)));
            return 0;
        }
        catch (IOException e)
        {
            Console.Error.WriteLine($"lethe-init: {mapping}: {e.Message}");
            return 1;
        }
    }
}
