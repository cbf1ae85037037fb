using System.Text.Json;
using System.Text.Json.Serialization;

namespace Lethe.Protocol.Boot;

/// <summary>The wire form of steps sent to a running guest (lethe-init steps reads a batch on stdin, writes a report).</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    UseStringEnumConverter = true)]
[JsonSerializable(typeof(StepBatch))]
[JsonSerializable(typeof(StepReport))]
public sealed partial class StepJson : JsonSerializerContext
{
    /// <summary>The hidden verb of the guest init that runs a batch.</summary>
    public const string Verb = "steps";

    public static string Serialize(StepBatch batch) => JsonSerializer.Serialize(batch, Default.StepBatch);
    public static StepBatch? DeserializeBatch(string json) => JsonSerializer.Deserialize(json, Default.StepBatch);
    public static string Serialize(StepReport report) => JsonSerializer.Serialize(report, Default.StepReport);
    public static StepReport? DeserializeReport(string json) => JsonSerializer.Deserialize(json, Default.StepReport);
}
