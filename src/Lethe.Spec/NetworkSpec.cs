namespace Lethe.Spec;

/// <summary>The spec's <c>network:</c> section.</summary>
public sealed record NetworkSpec
{
    public NetworkMode Mode { get; init; } = NetworkMode.Gateway;

    /// <summary>The destinations allowed; null means open (any address outside the denied ranges).</summary>
    public IReadOnlyList<EgressRule>? Egress { get; init; }

    public bool IsOpen => Egress is null;

    /// <summary>Addresses and networks (each optionally with a port) exempt from the denied ranges.</summary>
    public IReadOnlyList<EgressRule> Allow { get; init; } = [];

    /// <summary>Unset: the command's default (auto for lethe up, none for lethe run).</summary>
    public ForwardMode Forward { get; init; } = ForwardMode.CommandDefault;

    /// <summary>The fixed forwards when <see cref="Forward"/> is <see cref="ForwardMode.List"/>.</summary>
    public IReadOnlyList<PortForward> Forwards { get; init; } = [];

    /// <summary>What <see cref="ForwardMode.CommandDefault"/> means for a workstation (auto) or a one-shot run (none).</summary>
    public ForwardMode EffectiveForward(bool workstation) =>
        Forward != ForwardMode.CommandDefault ? Forward : workstation ? ForwardMode.Auto : ForwardMode.None;
}

public enum NetworkMode
{
    /// <summary>One virtio-net device behind lethe's gateway, which enforces the egress policy.</summary>
    Gateway,
    /// <summary>No network device at all.</summary>
    None,
}

public enum ForwardMode
{
    CommandDefault,
    /// <summary>Every port the guest listens on, to the same port on host 127.0.0.1 when free.</summary>
    Auto,
    None,
    /// <summary>The fixed list in <see cref="NetworkSpec.Forwards"/>.</summary>
    List,
}

/// <summary>Host 127.0.0.1:<see cref="HostPort"/> to the guest's <see cref="GuestPort"/>.</summary>
public sealed record PortForward(int HostPort, int GuestPort)
{
    public override string ToString() => $"{HostPort}:{GuestPort}";
}
