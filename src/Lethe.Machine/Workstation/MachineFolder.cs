using System.Text.Json;
using Lethe.Core;
using System.Text.Json.Serialization;

namespace Lethe.Machine.Workstation;

/// <summary>
/// The state of one named workstation under $XDG_STATE_HOME/lethe/machines/NAME: its persist disk, the
/// console log of the current boot, the supervisor's control socket and status, and the lock that
/// the supervisor holds while the machine runs. The lock is an flock, so it dies with its holder:
/// a killed supervisor never leaves a lock that blocks the next start.
/// </summary>
public sealed class MachineFolder(string machinesRoot, string name)
{
    public string Name { get; } = name;
    public string Path { get; } = System.IO.Path.Combine(machinesRoot, name);
    public string PersistDisk => System.IO.Path.Combine(Path, "persist.ext4");
    public string ConsoleLog => System.IO.Path.Combine(Path, "console.log");
    public string SupervisorLog => System.IO.Path.Combine(Path, "supervisor.log");
    public string Socket => System.IO.Path.Combine(Path, "control.sock");
    public string StatusFile => System.IO.Path.Combine(Path, "status.json");
    private string LockFile => System.IO.Path.Combine(Path, "lock");
    private string SpecPathFile => System.IO.Path.Combine(Path, "spec-path");

    /// <summary>The spec file lethe up last started the machine from (null: the embedded default, or never started),
    /// for commands such as lethe update that run later, from anywhere (a systemd timer).</summary>
    public string? RecordedSpecPath =>
        PosixFiles.LStat(SpecPathFile) is { IsRegularFile: true } && File.ReadAllText(SpecPathFile).Trim() is { Length: > 0 } path ? path : null;

    public void RecordSpecPath(string? specPath) => WholeFile.Replace(SpecPathFile, specPath ?? "");

    /// <summary>Every machine folder: real folders only, never a link planted among them.</summary>
    public static IEnumerable<MachineFolder> All(string machinesRoot) =>
        PosixFiles.LStat(machinesRoot) is { IsDirectory: true }
            ? Directory.EnumerateDirectories(machinesRoot).Where(d => PosixFiles.LStat(d) is { IsDirectory: true }).Order()
                .Select(d => new MachineFolder(machinesRoot, System.IO.Path.GetFileName(d)))
            : [];

    /// <summary>Makes (or checks) the machines folder and this machine's as private folders: a link or
    /// another user's folder there is refused with exit 3.</summary>
    public void Create()
    {
        PrivateFolder.Ensure(System.IO.Path.GetDirectoryName(Path)!);
        PrivateFolder.Ensure(Path);
    }

    /// <summary>Takes the machine's lock, or returns null when a live supervisor holds it.</summary>
    public FileStream? TryLock()
    {
        Create();
        try
        {
            return new FileStream(LockFile, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException)
        {
            return null;
        }
    }

    /// <summary>Running means a live supervisor holds the lock. A stopped machine's leftovers are cleaned here.</summary>
    public bool IsRunning()
    {
        if (!Directory.Exists(Path))
            return false;
        using var probe = TryLock();
        if (probe is null)
            return true;
        File.Delete(Socket);
        File.Delete(StatusFile);
        return false;
    }

    public MachineStatus? ReadStatus()
    {
        try
        {
            return JsonSerializer.Deserialize<MachineStatus>(File.ReadAllText(StatusFile), StatusJson.Options);
        }
        catch (Exception e) when (e is IOException or JsonException)
        {
            return null;
        }
    }

    public void WriteStatus(MachineStatus status)
    {
        var temporary = StatusFile + ".new";
        File.WriteAllText(temporary, JsonSerializer.Serialize(status, StatusJson.Options));
        File.Move(temporary, StatusFile, overwrite: true);
    }
}

/// <summary>What a supervisor says about its machine, for ps and for the command waiting in up.</summary>
public sealed record MachineStatus
{
    public required string Name { get; init; }
    public required string State { get; init; }
    public int SupervisorPid { get; init; }
    public int? QemuPid { get; init; }
    public DateTimeOffset? BootedAt { get; init; }
    public string? ImageDigest { get; init; }
    public string? PersistDisk { get; init; }
    public string? Scratch { get; init; }
    public IReadOnlyList<string> Ports { get; init; } = [];
    public string? Timeline { get; init; }
    /// <summary>The generation the current boot uses (lethe generations lists them).</summary>
    public int? Generation { get; init; }
    /// <summary>The console log of the current boot (it moves to the machine folder when the machine stops).</summary>
    public string? ConsoleLog { get; init; }
    /// <summary>The spec the machine was booted from (null: the embedded default).</summary>
    public string? SpecPath { get; init; }
    /// <summary>The allowlist in force for the current boot, as guest paths.</summary>
    public IReadOnlyList<string> Allowlist { get; init; } = [];
    public string? Error { get; init; }
    /// <summary>What the current boot had to do without, one line each (a scratch disk that fell back to tmpfs).</summary>
    public IReadOnlyList<string> Warnings { get; init; } = [];
}

public static class MachineStates
{
    public const string Booting = "booting";
    public const string Running = "running";
    public const string Rebooting = "rebooting";
    public const string Stopping = "stopping";
    public const string Failed = "failed";
    public const string Stopped = "stopped";
}

internal static class StatusJson
{
    public static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        WriteIndented = true,
    };
}
