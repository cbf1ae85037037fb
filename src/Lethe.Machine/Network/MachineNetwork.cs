using Lethe.Machine.Network.Gateway;
using Lethe.Machine.Network.Policy;
using Lethe.Machine.Run;
using Lethe.Spec;
using PortForward = Lethe.Machine.Network.Gateway.PortForward;

namespace Lethe.Machine.Network;

/// <summary>
/// One boot's network: the egress policy with its decision log, the gateway that QEMU's network device
/// talks to, and the port forwards (the spec's, and for forward: auto those the guest's listeners ask for).
/// It lives as long as that boot's QEMU; a reboot starts a new one from the spec.
/// </summary>
public sealed class MachineNetwork : IAsyncDisposable
{
    private readonly NetworkGateway _gateway;
    private readonly MachinePolicy _policy;
    private readonly TextWriter _diagnostics;
    private readonly ForwardMode _forward;
    private readonly Lock _lock = new();
    private readonly HashSet<int> _unavailable = [];

    private MachineNetwork(MachinePolicy policy, NetworkGateway gateway, ForwardMode forward, TextWriter diagnostics)
    {
        _policy = policy;
        _gateway = gateway;
        _forward = forward;
        _diagnostics = diagnostics;
    }

    /// <summary>Forwards reach the guest's 127.0.0.1 (the guest turns on route_localnet), so that a server bound
    /// to the guest's loopback only, as dev servers often are, is reachable as well as one on every address.</summary>
    public static readonly System.Net.IPAddress ForwardTarget = System.Net.IPAddress.Loopback;

    public PolicyEngine Policy => _policy.Engine;

    public IReadOnlyList<PortForward> Forwards => _gateway.Forwards;

    /// <summary>Raised after the forwards changed (an auto forward came or went).</summary>
    public event Action? ForwardsChanged;

    /// <summary>
    /// Starts the policy and the gateway. <paramref name="logPath"/> is the decision log (a workstation's
    /// machine folder, a run's own folder). A spec forward whose host port is taken stops the boot (<see cref="ForwardUnavailableException"/>, exit 3).
    /// </summary>
    public static MachineNetwork Start(NetworkSpec spec, bool workstation, string logPath, TextWriter diagnostics)
    {
        var policy = MachinePolicy.Open(spec, logPath) ?? throw new ArgumentException("network.mode: none has no network to start", nameof(spec));
        var gateway = NetworkGateway.Start(policy.Engine, new GatewayOptions { ForwardTargetAddress = ForwardTarget });
        var network = new MachineNetwork(policy, gateway, spec.EffectiveForward(workstation), diagnostics);
        try
        {
            if (network._forward == ForwardMode.List)
                foreach (var forward in spec.Forwards)
                    gateway.AddForward(forward.HostPort, forward.GuestPort, ForwardOrigin.Spec);
        }
        catch
        {
            network.DisposeAsync().AsTask().GetAwaiter().GetResult();
            throw;
        }
        return network;
    }

    /// <summary>What the boot gives QEMU: the gateway's socket, and the guest's listener reports for forward: auto.</summary>
    public BootNetwork Boot => BootNetwork.ThroughGateway(_gateway.QemuEnd, _forward == ForwardMode.Auto, OnListening);

    /// <summary>The guest's listening ports changed (forward: auto): forward the new ones, drop the gone ones.</summary>
    private void OnListening(IReadOnlyList<int> ports)
    {
        lock (_lock)
        {
            var changes = ForwardPlan.Auto(_gateway.Forwards, ports);
            foreach (var port in changes.Remove)
                _gateway.RemoveForward(port);
            foreach (var port in changes.Add)
            {
                try
                {
                    _gateway.AddForward(port, port, ForwardOrigin.Auto);
                    _unavailable.Remove(port);
                }
                catch (ForwardUnavailableException e)
                {
                    if (_unavailable.Add(port))
                        _diagnostics.WriteLine($"lethe: the guest listens on port {port}, but {e.Message}");
                }
            }
            if (changes.Add.Count + changes.Remove.Count == 0)
                return;
        }
        ForwardsChanged?.Invoke();
    }

    public async ValueTask DisposeAsync()
    {
        await _gateway.DisposeAsync().ConfigureAwait(false);
        await _policy.DisposeAsync().ConfigureAwait(false);
    }
}
