using System.Text.Json;
using System.Text.Json.Serialization;
using Lethe.Core;
using Lethe.Machine.Workstation;

namespace Lethe.Machine.Ssh;

/// <summary>What ssh needs to log in to a machine, from the spec of its current boot. No secret: names only.</summary>
public sealed record SshProfile
{
    public required string User { get; init; }
    public required int Uid { get; init; }
    /// <summary>Log in with lethe's per-machine key (and only it).</summary>
    public bool MachineKey { get; init; }
    public bool ForwardAgent { get; init; }
    public IReadOnlyList<string> SendEnv { get; init; } = [];
    /// <summary>Forward the host's gpg-agent extra socket (gpg.forward_agent).</summary>
    public bool ForwardGpgAgent { get; init; }

    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        WriteIndented = true,
    };

    public static SshProfile? Read(MachineFolder folder)
    {
        try
        {
            return JsonSerializer.Deserialize<SshProfile>(File.ReadAllText(MachineSshFiles.Profile(folder)), Json);
        }
        catch (Exception e) when (e is IOException or JsonException)
        {
            return null;
        }
    }

    public void Write(MachineFolder folder) =>
        PrivateFiles.ReplaceText(MachineSshFiles.Profile(folder), JsonSerializer.Serialize(this, Json));
}
