using System.Text.Json;
using System.Text.Json.Serialization;

namespace Lethe.Protocol;

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    UseStringEnumConverter = true)]
[JsonSerializable(typeof(ControlMessage))]
[JsonSerializable(typeof(GuestSeed))]
public sealed partial class ProtocolJson : JsonSerializerContext
{
    public static string Serialize(ControlMessage message) => JsonSerializer.Serialize(message, Default.ControlMessage);
    public static ControlMessage? DeserializeMessage(string line) => JsonSerializer.Deserialize(line, Default.ControlMessage);
    public static byte[] Serialize(GuestSeed seed) => JsonSerializer.SerializeToUtf8Bytes(seed, Default.GuestSeed);
    public static GuestSeed? DeserializeSeed(ReadOnlySpan<byte> json) => JsonSerializer.Deserialize(json, Default.GuestSeed);
}
