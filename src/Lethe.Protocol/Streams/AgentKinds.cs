namespace Lethe.Protocol;

/// <summary>The host agents a session can have forwarded into the machine.</summary>
public static class AgentKinds
{
    /// <summary>The host's SSH agent ($SSH_AUTH_SOCK); in the guest, SSH_AUTH_SOCK of the session.</summary>
    public const string SshAgent = "ssh-agent";

    /// <summary>gpg-agent's extra socket on the host; in the guest, the user's /run/user/UID/gnupg/S.gpg-agent.</summary>
    public const string GpgAgent = "gpg-agent";

    public static IReadOnlyList<string> All { get; } = [SshAgent, GpgAgent];

    public static bool IsKnown(string? kind) => kind is SshAgent or GpgAgent;

    /// <summary>Pure: the forwards a session asks for, known kinds only, each once, in a fixed order.</summary>
    public static IReadOnlyList<string> Of(bool sshAgent, bool gpgAgent) =>
        [.. All.Where(k => k == SshAgent ? sshAgent : gpgAgent)];

    /// <summary>The known kinds among <paramref name="forwards"/> (a guest drops the rest), each once.</summary>
    public static IReadOnlyList<string> Known(IReadOnlyList<string>? forwards) =>
        forwards is null ? [] : [.. All.Where(forwards.Contains)];
}
