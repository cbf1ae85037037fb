namespace Lethe.Protocol;

/// <summary>
/// Per-run, non-secret configuration for the guest init. It travels in the first message on the control
/// channel (<see cref="SeedMessages"/>), and a readable copy stays in the run's folder. Nothing secret may
/// ever be added here: the copy is a file on the host.
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

    /// <summary>Whether machine-id and SSH host keys survive reboots (kept on the persist disk).</summary>
    public bool KeepIdentity { get; init; }

    /// <summary>The allowlist; null when the machine has no persist disk (a one-shot run).</summary>
    public IReadOnlyList<PersistPath>? Persist { get; init; }

    /// <summary>A host folder shared over virtio-9p; null when nothing is shared.</summary>
    public SharedFolder? Workspace { get; init; }

    /// <summary>An encrypted scratch disk is attached; its key is made in the guest, never here.</summary>
    public ScratchSeed? Scratch { get; init; }

    /// <summary>The machine's network device; null when it has none (<c>network.mode: none</c>).</summary>
    public NetworkSeed? Network { get; init; }

    /// <summary>share.git_config: the host's global git config, already sanitized on the host (no credential
    /// left in it), which the guest writes to <see cref="SeedLayout.SystemGitConfig"/>; null: none.</summary>
    public string? GitConfig { get; init; }

    /// <summary>Host USB devices are attached (the spec's usb:): the guest loads the xHCI driver (<see cref="Boot.UsbPlan"/>).</summary>
    public bool Usb { get; init; }

    /// <summary>sshd for a workstation; null: no sshd (a one-shot run).</summary>
    public SshSeed? Ssh { get; init; }
}

/// <param name="AuthorizedKeys">Public keys only ("TYPE BASE64"): who may log in as the user.</param>
/// <param name="AcceptEnv">Names of variables sshd accepts from a client's SendEnv (never values).</param>
/// <param name="ListenOnNetwork">An exported machine: sshd listens on its network, not only on loopback.</param>
public sealed record SshSeed(IReadOnlyList<string> AuthorizedKeys, IReadOnlyList<string> AcceptEnv, bool ListenOnNetwork = false);

/// <param name="Overlay">Put the root overlay's writable layer on the scratch disk instead of RAM.</param>
public sealed record ScratchSeed(bool Overlay);

/// <summary>
/// One allowlisted path. <see cref="GuestPath"/> is absolute (home already expanded).
/// <see cref="Owner"/> is a user name, "uid" or "uid:gid", resolved in the guest's own /etc/passwd.
/// </summary>
public sealed record PersistPath(string GuestPath, PersistKind Kind = PersistKind.Auto, int? Mode = null, string? Owner = null, bool InHome = false);

public enum PersistKind
{
    /// <summary>Whatever the image has at that path; a directory when the image has nothing.</summary>
    Auto,
    File,
    Directory,
}

public sealed record SharedFolder(string Tag, string At, bool Overlay);

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
    /// <summary>The name the seed is audited under (it arrives on the control channel, not as this file).</summary>
    public const string SeedPath = "lethe/seed.json";
    public const string ModulesPath = "lethe/modules";
    public const string InitPath = "init";
    public const string ControlPortName = "org.lethe.control";
    public const string RootDiskSerial = "lethe-root";
    public const string PersistDiskSerial = "lethe-persist";
    public const string ScratchDiskSerial = "lethe-scratch";
    public const string WorkspaceTag = "lethe-workspace";
    /// <summary>Where the persist disk is mounted in the guest; its allowlisted content lives under data/.</summary>
    public const string PersistMount = "/persist";
    public const string PersistData = "/persist/data";
    /// <summary>Identity kept for a workstation: machine-id and SSH host keys.</summary>
    public const string PersistIdentity = "/persist/identity";
    /// <summary>The root overlay's writable layers, moved here (root only) so that "persist diff" can read them.</summary>
    public const string RootUpperView = "/run/lethe/upper/root";
    public const string HomeUpperView = "/run/lethe/upper/home";
    /// <summary>A copy of the init binary in the new root (root only): the systemd-mode agent, and
    /// lethe's in-guest probes (lethe-init dm-targets NAME).</summary>
    public const string AgentPath = "/run/lethe/lethe-init";
    public const string AgentUnitName = "lethe-agent.service";
    /// <summary>Where share.git_config lands: git's system-wide config (root's, 0644).</summary>
    public const string SystemGitConfig = "/etc/gitconfig";
}
