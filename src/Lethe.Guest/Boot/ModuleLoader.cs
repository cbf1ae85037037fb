using Lethe.Guest.Native;
using Lethe.Protocol.Boot;
using Lethe.Protocol.Modules;

namespace Lethe.Guest.Boot;

/// <summary>
/// Loads kernel modules from the initramfs with finit_module, dependencies first. Module parameters
/// given on the kernel command line (e.g. virtio_mmio.device=… that QEMU's microvm adds) are passed
/// on, as modprobe would do.
/// </summary>
internal static class ModuleLoader
{
    private const int EEXIST = 17;

    public static void Load(ModuleTable table, IEnumerable<string> wanted, string kernelCommandLine, Action<string> log)
    {
        var release = File.ReadAllText("/proc/sys/kernel/osrelease").Trim();
        foreach (var module in table.LoadOrder(wanted))
        {
            // Loaded before the seed already (its device was there): reading and checking it again costs time for nothing.
            if (Directory.Exists("/sys/module/" + module.Name))
                continue;
            var path = $"/lib/modules/{release}/{module.Path}";
            using var file = File.OpenHandle(path, FileMode.Open, FileAccess.Read);
            var parameters = ModuleParameters.From(kernelCommandLine, module.Name);
            if (Libc.FinitModule((int)file.DangerousGetHandle(), parameters) < 0)
            {
                var errno = System.Runtime.InteropServices.Marshal.GetLastPInvokeError();
                if (errno != EEXIST)
                    log($"module {module.Name}: {System.Runtime.InteropServices.Marshal.GetPInvokeErrorMessage(errno)}");
            }
        }
    }
}
