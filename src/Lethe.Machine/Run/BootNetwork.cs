using System.Runtime.InteropServices;
using Lethe.Machine.Qemu;

namespace Lethe.Machine.Run;

/// <summary>A boot's network: the backend of the guest's virtio-net device, and what the guest reports about it.</summary>
public sealed record BootNetwork
{
    public required QemuNetwork Backend { get; init; }

    /// <summary>
    /// For <see cref="QemuNetwork.Gateway"/>: QEMU's end of the gateway's AF_UNIX stream socketpair. The boot
    /// takes it over: QEMU inherits it and lethe's copy is closed once QEMU has started (or the start failed).
    /// </summary>
    public SafeHandle? GatewaySocket { get; init; }

    /// <summary>forward: auto: the guest reports its listening TCP ports, and <see cref="ListeningChanged"/> hears of each new set.</summary>
    public bool ReportListening { get; init; }

    /// <summary>
    /// Called with the guest's listening TCP ports (validated, distinct, in order) each time the set changes,
    /// on the thread that reads the guest's channel: it must return quickly and not throw.
    /// </summary>
    public Action<IReadOnlyList<int>>? ListeningChanged { get; init; }

    public static BootNetwork ThroughGateway(SafeHandle qemuEnd, bool reportListening = false, Action<IReadOnlyList<int>>? listeningChanged = null) =>
        new() { Backend = QemuNetwork.Gateway, GatewaySocket = qemuEnd, ReportListening = reportListening, ListeningChanged = listeningChanged };

    /// <summary>QEMU's own user networking (lethe bench net's comparison only: it enforces no policy).</summary>
    public static BootNetwork QemuUser(bool reportListening = false, Action<IReadOnlyList<int>>? listeningChanged = null) =>
        new() { Backend = QemuNetwork.User, ReportListening = reportListening, ListeningChanged = listeningChanged };
}
