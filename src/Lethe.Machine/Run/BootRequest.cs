using Lethe.Image;
using Lethe.Machine.Accel;
using Lethe.Spec;

namespace Lethe.Machine.Run;

/// <summary>One boot of an image: the spec and image it runs, and the per-run choices made on the command line.</summary>
public sealed record BootRequest
{
    public required MachineSpec Spec { get; init; }
    public required ImageSet Image { get; init; }
    public required AccelDecision Accel { get; init; }
    public required int MemoryMiB { get; init; }
    public required int Cpus { get; init; }
    public bool Debug { get; init; }
    /// <summary>The machine's name: the spec's for a run, the one given to up for a workstation.</summary>
    public string? Name { get; init; }
    /// <summary>A workstation's persist disk; null for a one-shot run (which never keeps anything).</summary>
    public string? PersistDisk { get; init; }
    /// <summary>The folder shared with the guest, already resolved for the command; null or mode none: nothing.</summary>
    public WorkspaceSpec? Workspace { get; init; }
    /// <summary>An encrypted scratch disk of this size (a new sparse file per boot); null: none.</summary>
    public ScratchSpec? Scratch { get; init; }
    /// <summary>Under TCG a systemd boot takes tens of seconds; a KVM boot far less.</summary>
    public TimeSpan ReadyTimeout { get; init; } = TimeSpan.FromMinutes(3);
    /// <summary>The network device's backend. Null: what the spec says (lethe's gateway, built by the boot, or
    /// no device for network.mode: none). Set: that backend as given (bench's QEMU user networking).</summary>
    public BootNetwork? Network { get; init; }
    /// <summary>Where the egress policy's decision log goes (a workstation's machine folder); null: the run's own folder.</summary>
    public string? NetworkLog { get; init; }

    /// <summary>share.git_config: the host's global git config, sanitized (not secret any more); null: none.</summary>
    public string? GitConfig { get; init; }

    /// <summary>Public keys ("TYPE BASE64") sshd accepts for the user; null: no sshd (a one-shot run).</summary>
    public IReadOnlyList<string>? SshKeys { get; init; }

    /// <summary>--warm: restore the snapshot of this boot's shape if there is a valid one, else boot cold and take it.</summary>
    public bool Warm { get; init; }

    public string MachineName => Name ?? Spec.Name;
    public bool Shares => Workspace is { Mode: not WorkspaceMode.None, HostPath: not null };
}

/// <summary>Where a run's output goes: raw byte streams for the command, one-line diagnostics for lethe.</summary>
public sealed record RunStreams(Stream Stdin, Stream Stdout, Stream Stderr, TextWriter Diagnostics);
