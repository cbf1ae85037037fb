namespace Lethe.Protocol;

/// <summary>
/// Per-run, non-secret configuration for the guest init. It travels as <see cref="SeedLayout.SeedPath"/>
/// inside a small cpio archive appended to the cached initramfs. Nothing secret may ever be added here:
/// the archive is a file on the host.
/// </summary>
public sealed record GuestSeed
{
    public int Version { get; init; } = 1;
    public required string Hostname { get; init; }
    public required GuestUser User { get; init; }
    public InitMode Init { get; init; } = InitMode.Fast;
    public IReadOnlyDictionary<string, string>? Environment { get; init; }
    public required int MemoryMiB { get; init; }
    public bool Debug { get; init; }
}

public sealed record GuestUser(string Name, int Uid, int Gid, string Home, string Shell);

public enum InitMode
{
    /// <summary>lethe's init stays PID 1 and runs the command itself.</summary>
    Fast,
    /// <summary>lethe's init prepares the root and hands PID 1 to systemd; a unit runs the command.</summary>
    Systemd,
}

/// <summary>Fixed names shared by the host that builds archives and devices and the guest that reads them.</summary>
public static class SeedLayout
{
    public const string SeedPath = "lethe/seed.json";
    public const string ModulesPath = "lethe/modules";
    public const string InitPath = "init";
    public const string ControlPortName = "org.lethe.control";
    public const string RootDiskSerial = "lethe-root";
    /// <summary>Where the systemd-mode agent (a copy of the init binary) lives in the new root.</summary>
    public const string AgentPath = "/run/lethe/lethe-agent";
    public const string AgentUnitName = "lethe-agent.service";
}
