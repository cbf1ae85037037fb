namespace Lethe.Protocol;

/// <summary>
/// One line of JSON on the virtio-serial control channel. A flat record keeps the wire format
/// trivial to read in a log and to (de)serialize under NativeAOT; <see cref="Type"/> says which
/// optional fields are meaningful.
/// </summary>
public sealed record ControlMessage
{
    public required string Type { get; init; }

    /// <summary>Which command session a message belongs to: several may run at once in one machine.</summary>
    public int Session { get; init; }

    /// <summary>Base64 payload of <see cref="MessageTypes.Stdout"/>, <see cref="MessageTypes.Stderr"/>, <see cref="MessageTypes.Stdin"/>.</summary>
    public string? Data { get; init; }

    /// <summary>Exit status of <see cref="MessageTypes.Exit"/>, signal number of <see cref="MessageTypes.Signal"/>.</summary>
    public int? Code { get; init; }

    /// <summary>Human-readable text of <see cref="MessageTypes.Log"/> and <see cref="MessageTypes.Error"/>.</summary>
    public string? Text { get; init; }

    public ExecRequest? Exec { get; init; }

    public IReadOnlyList<BootPhase>? Timeline { get; init; }

    /// <summary>What the boot had to do without (a scratch disk that fell back to tmpfs), one line each.</summary>
    public IReadOnlyList<string>? Warnings { get; init; }

    /// <summary>The terminal's new size, in <see cref="MessageTypes.Resize"/>.</summary>
    public int? Rows { get; init; }

    public int? Columns { get; init; }

    /// <summary>The guest's listening TCP ports, in <see cref="MessageTypes.Listening"/>; the host validates them (<see cref="ListeningPorts.FromMessage"/>).</summary>
    public IReadOnlyList<int>? Ports { get; init; }

    /// <summary>Which forwarded-agent stream of the session a stream message is about (<see cref="StreamMessages"/>).</summary>
    public int? Stream { get; init; }

    /// <summary>The agent a <see cref="MessageTypes.StreamOpen"/> asks for: one of <see cref="AgentKinds"/>.</summary>
    public string? Kind { get; init; }

    /// <summary>The guest's public SSH host key ("ssh-ed25519 BASE64"), in <see cref="MessageTypes.Ready"/> when sshd runs;
    /// the host validates it as hostile text and pins it (<see cref="SshPublicKeys.ParseHostKey"/>).</summary>
    public string? HostKey { get; init; }

    /// <summary>The guest's memory in use (MemTotal − MemAvailable, KiB) when it sent <see cref="MessageTypes.Ready"/>: for lethe bench.</summary>
    public long? MemoryInUseKiB { get; init; }

    /// <summary>The boot's configuration, in <see cref="MessageTypes.Seed"/> (its entropy in <see cref="Data"/>); see <see cref="SeedMessages"/>.</summary>
    public GuestSeed? Seed { get; init; }

    /// <summary>The host's wall clock in Unix milliseconds, in <see cref="MessageTypes.Seed"/>: the guest sets its clock from it.</summary>
    public long? ClockMs { get; init; }

    public static ControlMessage Ready(IReadOnlyList<BootPhase> timeline) => new() { Type = MessageTypes.Ready, Timeline = timeline };
    public static ControlMessage Output(string type, ReadOnlySpan<byte> bytes) => new() { Type = type, Data = Convert.ToBase64String(bytes) };
    public static ControlMessage Exited(int code) => new() { Type = MessageTypes.Exit, Code = code };
    public static ControlMessage Failure(string text) => new() { Type = MessageTypes.Error, Text = text };
    public static ControlMessage LogLine(string text) => new() { Type = MessageTypes.Log, Text = text };
    public static ControlMessage Run(ExecRequest exec) => new() { Type = MessageTypes.Exec, Exec = exec };
    public static ControlMessage Input(ReadOnlySpan<byte> bytes) => new() { Type = MessageTypes.Stdin, Data = Convert.ToBase64String(bytes) };
    public static ControlMessage InputClosed() => new() { Type = MessageTypes.StdinClosed };
    public static ControlMessage Kill(int signal) => new() { Type = MessageTypes.Signal, Code = signal };
    public static ControlMessage Resized(int rows, int columns) => new() { Type = MessageTypes.Resize, Rows = rows, Columns = columns };
    public static ControlMessage Listening(IReadOnlyList<int> ports) => new() { Type = MessageTypes.Listening, Ports = ports };
    public static ControlMessage PowerOff() => new() { Type = MessageTypes.PowerOff };
    public static ControlMessage Restart() => new() { Type = MessageTypes.Reboot };
    public static ControlMessage StreamOpened(int stream, string kind) => new() { Type = MessageTypes.StreamOpen, Stream = stream, Kind = kind };
    public static ControlMessage StreamBytes(int stream, ReadOnlySpan<byte> bytes) => new() { Type = MessageTypes.StreamData, Stream = stream, Data = Convert.ToBase64String(bytes) };
    public static ControlMessage StreamClosed(int stream) => new() { Type = MessageTypes.StreamClose, Stream = stream };

    public byte[] DataBytes() => Data is null ? [] : Convert.FromBase64String(Data);

    public ControlMessage ForSession(int session) => this with { Session = session };
}

public static class MessageTypes
{
    // guest → host
    public const string Ready = "ready";

    /// <summary>The guest's init has its control port open and waits for its <see cref="Seed"/> (a warm snapshot is taken here).</summary>
    public const string SeedWanted = "seed-wanted";
    public const string Stdout = "stdout";
    public const string Stderr = "stderr";
    public const string Exit = "exit";
    public const string Log = "log";
    public const string Error = "error";

    /// <summary>The guest's set of listening TCP ports changed (forward: auto); sent for the machine, not for a session.</summary>
    public const string Listening = "listening";

    // host → guest
    /// <summary>The first message to a booting guest: its seed, host entropy and the host's clock (<see cref="SeedMessages"/>).</summary>
    public const string Seed = "seed";
    public const string Exec = "exec";
    public const string Stdin = "stdin";
    public const string StdinClosed = "stdin-closed";
    public const string Signal = "signal";

    /// <summary>The user's terminal changed size: the guest sets it on the session's terminal, which signals SIGWINCH.</summary>
    public const string Resize = "resize";
    public const string PowerOff = "poweroff";

    // client → supervisor of a long-lived machine (besides exec, stdin, signal, poweroff)
    public const string Reboot = "reboot";

    /// <summary>lethe net allow/deny: <see cref="ControlMessage.Text"/> is the HOST[:PORT] rule; the reply is a
    /// <see cref="Log"/> saying what changed, or an <see cref="Error"/>.</summary>
    public const string NetAllow = "net-allow";
    public const string NetDeny = "net-deny";

    // Forwarded agents, in both directions within a session: the guest opens a stream for each connection
    // to an agent socket in the machine; bytes and the close then travel both ways (see StreamMessages).
    public const string StreamOpen = "stream-open";
    public const string StreamData = "stream-data";
    public const string StreamClose = "stream-close";
}

/// <summary>A command for the guest to run. Sent over the channel, never in the seed, so that it
/// can carry whatever the user typed without it landing in an archive on disk.</summary>
public sealed record ExecRequest
{
    public required IReadOnlyList<string> Argv { get; init; }
    public string? WorkingDirectory { get; init; }
    public bool Tty { get; init; }

    /// <summary>Run as root instead of the spec's user. Only lethe's own checks (verify, persist) set it.</summary>
    public bool AsRoot { get; init; }
    public int Rows { get; init; }
    public int Columns { get; init; }
    public string? Term { get; init; }

    /// <summary>The host agents this session may reach (<see cref="AgentKinds"/>); the guest gives it a socket for each.</summary>
    public IReadOnlyList<string>? Forwards { get; init; }

    /// <summary>With a gpg-agent forward: the host's public key(s), ASCII-armored, for the guest to import.</summary>
    public string? GpgPublicKeys { get; init; }

    /// <summary>
    /// send_env: host variables for this session's environment only (after the spec's env; never for a
    /// root command). Secret: they travel only in this message, and <see cref="ToString"/> names them
    /// without their values, so no log line or exception text made from a request can carry one.
    /// </summary>
    public IReadOnlyDictionary<string, string>? Environment { get; init; }

    private bool PrintMembers(System.Text.StringBuilder builder)
    {
        builder.Append("Argv = [").AppendJoin(", ", Argv).Append("], WorkingDirectory = ").Append(WorkingDirectory)
            .Append(", Tty = ").Append(Tty).Append(", AsRoot = ").Append(AsRoot)
            .Append(", Rows = ").Append(Rows).Append(", Columns = ").Append(Columns).Append(", Term = ").Append(Term);
        if (Forwards is { Count: > 0 } forwards)
            builder.Append(", Forwards = [").AppendJoin(", ", forwards).Append(']');
        if (GpgPublicKeys is { } keys)
            builder.Append(", GpgPublicKeys = (").Append(keys.Length).Append(" characters)");
        if (Environment is { Count: > 0 } environment)
            builder.Append(", Environment = [").AppendJoin(", ", environment.Keys.Select(name => name + "=(hidden)")).Append(']');
        return true;
    }
}

/// <summary>Milliseconds since the guest kernel started (CLOCK_BOOTTIME) at the end of a phase.</summary>
public sealed record BootPhase(string Name, long AtMs);
