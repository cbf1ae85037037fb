using System.Text.Json;
using Lethe.Core;
using Lethe.Machine.SignedChannel;
using Lethe.Machine.Workstation;

namespace Lethe.Machine.Generations;

/// <summary>
/// The last channel version a machine accepted (<c>channel-position.json</c> in its private folder): what makes a
/// replayed older manifest a refusal. Replaced whole (a new file, then renamed), never edited in place.
/// </summary>
public sealed class ChannelPositionFile(MachineFolder folder)
{
    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    public string FilePath => Path.Combine(folder.Path, "channel-position.json");

    public ChannelPosition? Read()
    {
        if (PosixFiles.LStat(FilePath) is null)
            return null;
        try
        {
            using var handle = PosixFiles.OpenNoFollow(FilePath, write: false);
            using var stream = new FileStream(handle, FileAccess.Read);
            return JsonSerializer.Deserialize<ChannelPosition>(stream, Json)
                ?? throw new JsonException("empty");
        }
        catch (JsonException e)
        {
            // Never read as "nothing accepted yet": that would let an older manifest in.
            throw new LetheException($"{FilePath} is damaged ({e.Message}); the channel is not read until it is repaired");
        }
    }

    public void Write(ChannelPosition position) => WholeFile.Replace(FilePath, stream => JsonSerializer.Serialize(stream, position, Json));
}
