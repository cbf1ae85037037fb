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
        var modules = Directory.Exists("/sys/module")
            ? Directory.EnumerateDirectories("/sys/module", "kvm*").Select(Path.GetFileName).OfType<string>().Order().ToList()
            : [];
        // KVM that cannot boot Linux is refused whoever may open it: no stat to start (each costs a process).
        var owner = exists && !modules.Any(AccelDecision.UnbootableKvmModules.Contains) ? await DeviceGroupAsync().ConfigureAwait(false) : null;
        var accessible = owner is { } group && (root ? GroupCanUse(group.Gid) : CanOpen());
        return new HostFacts(exists, accessible, modules, root)
        {
            KvmGroup = owner?.Name,
            UserName = Environment.UserName,
        };
    }

    /// <summary>The group owning /dev/kvm, id and name, from one stat; null when stat fails.</summary>
    private static async Task<(string Gid, string Name)?> DeviceGroupAsync()
    {
        var result = await new HostCommand("stat").WithArguments("-c", "%g %G", KvmDevice).ExecuteAsync().ConfigureAwait(false);
        var fields = result.Stdout.Trim().Split(' ', 2);
        return result.ExitCode == 0 && fields.Length == 2 ? (fields[0], fields[1]) : null;
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
    private static bool GroupCanUse(string gid)
    {
        var mode = File.GetUnixFileMode(KvmDevice);
        if (mode.HasFlag(UnixFileMode.OtherRead | UnixFileMode.OtherWrite))
            return true;
        return mode.HasFlag(UnixFileMode.GroupRead | UnixFileMode.GroupWrite) && gid != "0";
    }
}
