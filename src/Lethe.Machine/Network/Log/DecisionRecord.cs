using System.Text.Json;
using System.Text.Json.Serialization;

namespace Lethe.Machine.Network.Log;

/// <summary>One decision of the egress policy: one JSON line of the decision log.</summary>
public sealed record DecisionRecord
{
    public required DateTimeOffset Time { get; init; }
    /// <summary>dns, tcp, udp, or policy (a change made by lethe net allow/deny).</summary>
    public required string Protocol { get; init; }
    /// <summary>answer, nxdomain, refused, servfail, empty, formerr (dns); allow, deny, inspect, close (tcp);
    /// deny (udp); allow, deny (policy).</summary>
    public required string Verdict { get; init; }
    public required string Reason { get; init; }
    public IReadOnlyList<string> Names { get; init; } = [];
    public string? Address { get; init; }
    public int? Port { get; init; }
    /// <summary>The gateway's id of the connection, to tie its connect, inspect and close lines together.</summary>
    public long? Flow { get; init; }
    public long? BytesFromGuest { get; init; }
    public long? BytesToGuest { get; init; }
}

public static class DecisionVerdicts
{
    public const string Answer = "answer", NxDomain = "nxdomain", Refused = "refused", ServFail = "servfail", Empty = "empty", FormErr = "formerr", Drop = "drop";
    public const string Allow = "allow", Deny = "deny", Inspect = "inspect", Close = "close";
}

public static class DecisionProtocols
{
    public const string Dns = "dns", Tcp = "tcp", Udp = "udp", Policy = "policy";
}

/// <summary>Where decisions go: the log file, or a list in tests. Must be safe to call from several threads.</summary>
public interface IDecisionSink
{
    void Write(DecisionRecord record);
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(DecisionRecord))]
public sealed partial class DecisionJson : JsonSerializerContext
{
    public static string Line(DecisionRecord record) => JsonSerializer.Serialize(record, Default.DecisionRecord);

    /// <summary>The record on a line, or null for a line that is not one (cut short by a crash, say).</summary>
    public static DecisionRecord? TryParse(string line)
    {
        try
        {
            return JsonSerializer.Deserialize(line, Default.DecisionRecord);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
