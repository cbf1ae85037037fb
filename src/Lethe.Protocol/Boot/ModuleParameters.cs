namespace Lethe.Protocol.Boot;

/// <summary>
/// Module parameters given on the kernel command line as module.param=value (QEMU's microvm adds
/// virtio_mmio.device=… there). modprobe would pass them on at load time; lethe's init does the same.
/// </summary>
public static class ModuleParameters
{
    public static string From(string commandLine, string module)
    {
        var prefix = module.Replace('-', '_') + ".";
        var parameters = commandLine
            .Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(token => token.Replace('-', '_').StartsWith(prefix, StringComparison.Ordinal))
            .Select(token => token[prefix.Length..]);
        return string.Join(' ', parameters);
    }
}
