using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Net;
using Lethe.Machine.Network;
using Lethe.Machine.Network.Dns;
using Lethe.Machine.Network.Log;
using Lethe.Machine.Network.Policy;
using Lethe.Spec;

namespace Lethe.Tests.NetworkPolicy;

/// <summary>A resolver that answers from a table and remembers every name it was asked.</summary>
internal sealed class FakeResolver(Dictionary<string, string[]> table) : INameResolver
{
    public ConcurrentQueue<string> Asked { get; } = new();

    public Task<IReadOnlyList<IPAddress>> ResolveAsync(string name, CancellationToken cancellationToken)
    {
        Asked.Enqueue(name);
        IReadOnlyList<IPAddress> found = table.TryGetValue(name, out var addresses) ? [.. addresses.Select(IPAddress.Parse)] : [];
        return Task.FromResult(found);
    }
}

internal sealed class ListSink : IDecisionSink
{
    public ConcurrentQueue<DecisionRecord> Records { get; } = new();

    public void Write(DecisionRecord record) => Records.Enqueue(record);
}

internal sealed class FixedClock : TimeProvider
{
    public static readonly DateTimeOffset Now = new(2026, 11, 27, 12, 0, 0, TimeSpan.Zero);

    public override DateTimeOffset GetUtcNow() => Now;
}

/// <summary>A policy engine over a spec's network section, with a fake resolver, a list log and a fixed clock.</summary>
internal sealed class PolicyFixture
{
    public static readonly IPAddress HostOwn = IPAddress.Parse("192.0.2.10");

    public PolicyFixture(string networkYaml, Dictionary<string, string[]>? names = null, IReadOnlyList<IPAddress>? hostAddresses = null)
    {
        var spec = Lethe.Tests.Spec.SpecAssert.Valid(networkYaml).Network;
        Resolver = new FakeResolver(names ?? []);
        Engine = PolicyEngine.Create(spec, new PolicyHost(Resolver, hostAddresses ?? [HostOwn], new FixedClock(), Log));
    }

    public FakeResolver Resolver { get; }
    public ListSink Log { get; } = new();
    public PolicyEngine Engine { get; }
    private long _flows;

    public Flow Tcp(string address, int port) => new(Interlocked.Increment(ref _flows), IPAddress.Parse(address), port, FlowProtocol.Tcp);

    public ConnectVerdict Connect(string address, int port) => Engine.DecideConnect(Tcp(address, port)).Verdict;

    public async Task<DnsAnswer> AskAsync(string name, ushort type = DnsQuery.TypeA)
    {
        var response = await Engine.AnswerDnsAsync(DnsPackets.Query(name, type), TestContext.Current.CancellationToken);
        return DnsAnswer.Read(response.ShouldNotBeNull());
    }

    /// <summary>Resolves <paramref name="name"/> through the engine, then checks a connection to what it answered.</summary>
    public async Task<ConnectDecision> ResolveAndConnectAsync(string name, int port)
    {
        var answer = await AskAsync(name);
        answer.Code.ShouldBe(DnsResponse.NoError);
        var guestAddress = answer.Addresses.ShouldHaveSingleItem();
        // The gateway translates its own address back to the host's loopback before asking.
        var destination = guestAddress.Equals(Lethe.Protocol.NetworkLayout.Gateway) ? IPAddress.Loopback : guestAddress;
        return Engine.DecideConnect(new Flow(++_flows, destination, port, FlowProtocol.Tcp));
    }
}

/// <summary>Hand-built DNS packets, as a guest's resolver sends them (or as an attacker might).</summary>
internal static class DnsPackets
{
    public static byte[] Query(string name, ushort type = DnsQuery.TypeA, ushort id = 0x1234)
    {
        // A trailing dot is the root label, which the encoding writes anyway.
        var question = DnsResponse.EncodeName(name.TrimEnd('.'));
        var packet = new byte[12 + question.Length + 4];
        BinaryPrimitives.WriteUInt16BigEndian(packet, id);
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(2), 0x0100);
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(4), 1);
        question.CopyTo(packet, 12);
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(12 + question.Length), type);
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(14 + question.Length), DnsQuery.ClassIn);
        return packet;
    }

    /// <summary>A header with one question, followed by <paramref name="questionBytes"/> as written.</summary>
    public static byte[] Raw(params byte[] questionBytes)
    {
        byte[] header = [0xAB, 0xCD, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0];
        return [.. header, .. questionBytes];
    }
}

/// <summary>A response, read back independently of the code under test.</summary>
internal sealed record DnsAnswer(ushort Id, int Code, bool IsResponse, string QuestionName, IReadOnlyList<IPAddress> Addresses, uint Ttl)
{
    public static DnsAnswer Read(byte[] packet)
    {
        var id = BinaryPrimitives.ReadUInt16BigEndian(packet);
        var flags = BinaryPrimitives.ReadUInt16BigEndian(packet.AsSpan(2));
        var questions = BinaryPrimitives.ReadUInt16BigEndian(packet.AsSpan(4));
        var answers = BinaryPrimitives.ReadUInt16BigEndian(packet.AsSpan(6));
        var position = 12;
        var labels = new List<string>();
        if (questions == 1)
        {
            while (packet[position] != 0)
            {
                labels.Add(System.Text.Encoding.ASCII.GetString(packet, position + 1, packet[position]));
                position += packet[position] + 1;
            }
            position += 5;
        }
        var addresses = new List<IPAddress>();
        uint ttl = 0;
        for (var i = 0; i < answers; i++)
        {
            BinaryPrimitives.ReadUInt16BigEndian(packet.AsSpan(position)).ShouldBe((ushort)0xC00C);
            BinaryPrimitives.ReadUInt16BigEndian(packet.AsSpan(position + 2)).ShouldBe(DnsQuery.TypeA);
            ttl = BinaryPrimitives.ReadUInt32BigEndian(packet.AsSpan(position + 6));
            BinaryPrimitives.ReadUInt16BigEndian(packet.AsSpan(position + 10)).ShouldBe((ushort)4);
            addresses.Add(new IPAddress(packet.AsSpan(position + 12, 4)));
            position += 16;
        }
        position.ShouldBe(packet.Length);
        return new DnsAnswer(id, flags & 0xF, (flags & 0x8000) != 0, string.Join('.', labels), addresses, ttl);
    }
}
