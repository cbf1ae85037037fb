namespace Lethe.Spec;

/// <summary>A validated lethe.yaml. Built only by <see cref="SpecLoader"/>, so every instance is valid.</summary>
public sealed record MachineSpec
{
    public required string Name { get; init; }
    public required ImageSpec Image { get; init; }
    public required UserSpec User { get; init; }
    public required ResourceSpec Resources { get; init; }
    public AccelMode Accel { get; init; } = AccelMode.Auto;
    public InitSystem Init { get; init; } = InitSystem.Fast;

    /// <summary>Start from a snapshot taken where the guest waits for its seed (warm starts), instead of booting.</summary>
    public bool Warm { get; init; }
    public IReadOnlyDictionary<string, string> Env { get; init; } = new Dictionary<string, string>();

    /// <summary>The paths a long-lived machine keeps across reboots, and the size of the disk holding them.</summary>
    public PersistSpec Persist { get; init; } = new();

    /// <summary>Whether a workstation keeps its machine-id and SSH host keys across reboots.</summary>
    public IdentityMode Identity { get; init; } = IdentityMode.Keep;

    /// <summary>The host folder shared into the machine; null when the spec has no workspace section (the command picks).</summary>
    public WorkspaceSpec? Workspace { get; init; }

    /// <summary>An encrypted scratch disk; null when the spec has none.</summary>
    public ScratchSpec? Scratch { get; init; }

    /// <summary>The network device and its egress policy (default: a gateway with open egress).</summary>
    public NetworkSpec Network { get; init; } = new();

    /// <summary>SSH logins and what sessions get from the host (agent, variables).</summary>
    public SshSpec Ssh { get; init; } = new();

    public GpgSpec Gpg { get; init; } = new();

    /// <summary>Host USB devices attached to the machine (security keys).</summary>
    public IReadOnlyList<UsbDeviceSpec> Usb { get; init; } = [];

    public ShareSpec Share { get; init; } = new();

    /// <summary>The source a workstation follows (lethe update); null: every boot uses this spec as it is.</summary>
    public UpdateSpec? Update { get; init; }

    /// <summary>The file the spec came from, or null for the embedded default.</summary>
    public string? SourcePath { get; init; }
}

public sealed record ImageSpec
{
    public string Suite { get; init; } = "bookworm";
    public IReadOnlyList<string> Packages { get; init; } = [];
    public IReadOnlyList<FileSpec> Files { get; init; } = [];
}

/// <summary>A host file copied into the image. <see cref="Source"/> is absolute (resolved against the spec's folder).</summary>
public sealed record FileSpec(string Source, string Destination, int Mode);

public sealed record UserSpec(string Name = "dev", int Uid = 1000, bool Sudo = false);

public sealed record ResourceSpec(int MemoryMiB = 1024, int Cpus = 2);

public enum AccelMode { Auto, Kvm, Tcg }

public enum InitSystem { Fast, Systemd }

public enum IdentityMode { Keep, Fresh }
