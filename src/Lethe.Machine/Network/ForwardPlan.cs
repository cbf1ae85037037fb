using Lethe.Machine.Network.Gateway;

namespace Lethe.Machine.Network;

/// <summary>Pure: which auto forwards to add and remove when the guest reports the ports it listens on.</summary>
public static class ForwardPlan
{
    public sealed record Changes(IReadOnlyList<int> Add, IReadOnlyList<int> Remove);

    /// <summary>
    /// Each listening guest port P gets host 127.0.0.1:P, unless a spec forward already leads to P or holds
    /// host port P; auto forwards whose port stopped listening go. Spec forwards are never touched.
    /// </summary>
    public static Changes Auto(IReadOnlyList<PortForward> current, IReadOnlyList<int> listening)
    {
        var fixedForwards = current.Where(f => f.Origin == ForwardOrigin.Spec).ToList();
        var auto = current.Where(f => f.Origin == ForwardOrigin.Auto).Select(f => f.HostPort).ToHashSet();
        var wanted = listening.Distinct()
            .Where(port => !fixedForwards.Any(f => f.GuestPort == port || f.HostPort == port))
            .ToHashSet();
        return new Changes([.. wanted.Except(auto).Order()], [.. auto.Except(wanted).Order()]);
    }
}
