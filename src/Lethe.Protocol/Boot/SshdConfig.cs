using System.Text;
using System.Text.RegularExpressions;

namespace Lethe.Protocol.Boot;

/// <summary>
/// Pure: lethe's sshd drop-in. Debian's sshd_config includes /etc/ssh/sshd_config.d/*.conf before its own
/// settings, and sshd keeps the first value it reads, so these win. sshd listens on the guest's loopback only:
/// it is reached through the machine's control channel (lethe proxy), never from a network.
/// </summary>
public static partial class SshdConfig
{
    public const string DropInPath = "/etc/ssh/sshd_config.d/lethe.conf";
    /// <summary>Root's file, read by sshd for the spec's user: the user cannot add a key of their own.</summary>
    public const string AuthorizedKeysPath = "/etc/ssh/lethe_authorized_keys";
    public const string HostKeyPath = "/etc/ssh/" + HostKeyPlan.KeyName;
    public const string PrivilegeSeparationFolder = "/run/sshd";
    public const int Port = 22;

    /// <param name="listenOnNetwork">An exported machine, reached over its own network: sshd listens on every address.</param>
    public static string DropIn(string userName, IReadOnlyList<string> acceptEnv, bool listenOnNetwork = false)
    {
        if (!UserName().IsMatch(userName))
            throw new ArgumentException($"not a user name: {userName}", nameof(userName));
        if (acceptEnv.FirstOrDefault(name => !VariableName().IsMatch(name)) is { } bad)
            throw new ArgumentException($"not a variable name: {bad}", nameof(acceptEnv));
        var text = new StringBuilder()
            .Append("# Written by lethe at every boot.\n")
            .Append(listenOnNetwork ? "" : "ListenAddress 127.0.0.1\n")
            .Append($"Port {Port}\n")
            .Append($"HostKey {HostKeyPath}\n")
            .Append("PubkeyAuthentication yes\n")
            .Append("AuthenticationMethods publickey\n")
            .Append("PasswordAuthentication no\n")
            .Append("KbdInteractiveAuthentication no\n")
            .Append("HostbasedAuthentication no\n")
            .Append("PermitEmptyPasswords no\n")
            .Append("PermitRootLogin no\n")
            .Append($"AllowUsers {userName}\n")
            .Append($"AuthorizedKeysFile {AuthorizedKeysPath}\n")
            .Append("PermitUserEnvironment no\n")
            .Append("X11Forwarding no\n")
            .Append("StreamLocalBindUnlink yes\n");
        if (acceptEnv.Count > 0)
            text.Append("AcceptEnv ").AppendJoin(' ', acceptEnv).Append('\n');
        return text.ToString();
    }

    /// <summary>The authorized keys file: each key validated again (type and base64 only, no options).</summary>
    public static string AuthorizedKeys(IEnumerable<string> keys)
    {
        var text = new StringBuilder();
        foreach (var key in keys)
            text.Append(SshPublicKeys.Parse(key, out var problem)?.ToString() ?? throw new ArgumentException($"not an SSH public key: {problem}", nameof(keys))).Append('\n');
        return text.ToString();
    }

    [GeneratedRegex(@"\A[a-z_][a-z0-9_-]{0,31}\z")]
    private static partial Regex UserName();

    [GeneratedRegex(@"\A[A-Za-z_][A-Za-z0-9_]{0,127}\z")]
    private static partial Regex VariableName();
}
