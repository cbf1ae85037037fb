using Lethe.Core;

namespace Lethe.Machine.Accel;

/// <summary>What the host says about virtualization, read once; the decision is made from it purely.</summary>
/// <param name="KvmAccessible">Whether the account QEMU will run as can open /dev/kvm read-write.</param>
public sealed record HostFacts(bool KvmDeviceExists, bool KvmAccessible, IReadOnlyList<string> KvmModules, bool RunningAsRoot)
{
    /// <summary>The group that owns /dev/kvm (for the fix that adds a user to it), or null.</summary>
    public string? KvmGroup { get; init; }

    public string UserName { get; init; } = "";

    private const string KvmDevice = "/dev/kvm";

    public static async Task<HostFacts> ReadAsync()
    {
        var exists = File.Exists(KvmDevice);
        var root = Environment.UserName == "root";
        var accessible = exists && (root ? await GroupCanUseAsync().ConfigureAwait(false) : CanOpen());
        var modules = Directory.Exists("/sys/module")
            ? Directory.EnumerateDirectories("/sys/module", "kvm*").Select(Path.GetFileName).OfType<string>().Order().ToList()
            : [];
        var group = exists ? await new HostCommand("stat").WithArguments("-c", "%G", KvmDevice).ExecuteAsync().ConfigureAwait(false) : null;
        return new HostFacts(exists, accessible, modules, root)
        {
            KvmGroup = group is { ExitCode: 0 } ? group.Stdout.Trim() : null,
            UserName = Environment.UserName,
        };
    }

    private static bool CanOpen()
    {
        try
        {
            using var _ = new FileStream(KvmDevice, FileMode.Open, FileAccess.ReadWrite);
            return true;
        }
        catch (Exception e) when (e is UnauthorizedAccessException or IOException)
        {
            return false;
        }
    }

    /// <summary>As root, QEMU runs as an unprivileged account that gets /dev/kvm only through its group.</summary>
    private static async Task<bool> GroupCanUseAsync()
    {
        var mode = File.GetUnixFileMode(KvmDevice);
        if (mode.HasFlag(UnixFileMode.OtherRead | UnixFileMode.OtherWrite))
            return true;
        var group = await new HostCommand("stat").WithArguments("-c", "%g", KvmDevice).RunAsync().ConfigureAwait(false);
        return mode.HasFlag(UnixFileMode.GroupRead | UnixFileMode.GroupWrite) && group.Trim() != "0";
    }
}
