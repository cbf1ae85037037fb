namespace Lethe.Protocol;

/// <summary>
/// The guest has a network device: it configures it statically with <see cref="NetworkLayout"/>'s
/// addresses (no DHCP) and points its resolver at <see cref="NetworkLayout.Dns"/>.
/// </summary>
/// <param name="ReportListening">forward: auto: the guest agent reports its listening TCP ports (<see cref="MessageTypes.Listening"/>).</param>
public sealed record NetworkSeed(bool ReportListening = false);
