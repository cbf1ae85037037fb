namespace Lethe.Spec;

/// <summary>
/// A host folder shared into the machine at <see cref="At"/>. <see cref="HostPath"/> is absolute (resolved against the
/// spec's folder) and an existing folder, or null when <see cref="Mode"/> is <see cref="WorkspaceMode.None"/>.
/// </summary>
public sealed record WorkspaceSpec(string? HostPath, WorkspaceMode Mode, string At);

/// <summary>Rw: changes reach the host. Overlay: changes stay in the machine. None: nothing is shared.</summary>
public enum WorkspaceMode { Rw, Overlay, None }
