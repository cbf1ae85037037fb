using System.Collections.Concurrent;
using Lethe.Machine.Network;

namespace Lethe.Tests.Network;

/// <summary>A policy for the gateway's tests: allows or inspects by port, and records what it was asked.</summary>
internal sealed class TestPolicy : IGatewayPolicy
{
    public HashSet<int> AllowedPorts { get; } = [];
    public HashSet<int> InspectedPorts { get; } = [];
    public Func<byte[], InspectDecision> Inspector { get; set; } = _ => new InspectDecision(InspectVerdict.NeedMore, "more");
    public Func<byte[], byte[]?> Dns { get; set; } = query => [.. query, .. "-answered"u8.ToArray()];
    public ConcurrentQueue<Flow> Decided { get; } = new();
    public ConcurrentQueue<Flow> Refused { get; } = new();
    public ConcurrentQueue<byte[]> Inspected { get; } = new();
    public ConcurrentQueue<(Flow Flow, long FromGuest, long ToGuest)> Closed { get; } = new();

    public ValueTask<byte[]?> AnswerDnsAsync(ReadOnlyMemory<byte> query, CancellationToken cancellationToken) =>
        ValueTask.FromResult(Dns(query.ToArray()));

    public ConnectDecision DecideConnect(Flow flow)
    {
        Decided.Enqueue(flow);
        if (InspectedPorts.Contains(flow.Port))
            return new ConnectDecision(ConnectVerdict.Inspect, "inspect");
        return AllowedPorts.Contains(flow.Port)
            ? new ConnectDecision(ConnectVerdict.Allow, "test allows")
            : new ConnectDecision(ConnectVerdict.Deny, "test denies");
    }

    public InspectDecision DecideFirstBytes(Flow flow, ReadOnlySpan<byte> firstBytes)
    {
        Inspected.Enqueue(firstBytes.ToArray());
        return Inspector(firstBytes.ToArray());
    }

    public void UdpRefused(Flow flow) => Refused.Enqueue(flow);

    void IGatewayPolicy.Closed(Flow flow, long bytesFromGuest, long bytesToGuest) => Closed.Enqueue((flow, bytesFromGuest, bytesToGuest));
}
