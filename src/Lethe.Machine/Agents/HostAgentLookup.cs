using System.Net.Sockets;
using Lethe.Core;
using Lethe.Protocol;

namespace Lethe.Machine.Agents;

/// <summary>
/// Finds the host agents a session asked for, before anything starts: the SSH agent at $SSH_AUTH_SOCK and
/// gpg-agent's extra socket (<c>gpgconf --list-dirs agent-extra-socket</c>), each of which must answer a
/// connect; with gpg, also the public keys to import in the guest. One that is missing is a host error (exit 3).
/// </summary>
public static class HostAgentLookup
{
    private static readonly TimeSpan ToolTimeout = TimeSpan.FromSeconds(30);

    public static async Task<HostAgents?> FindAsync(bool sshAgent, bool gpgAgent, CancellationToken stop)
    {
        if (!sshAgent && !gpgAgent)
            return null;
        var sockets = new Dictionary<string, string>();
        if (sshAgent)
            sockets[AgentKinds.SshAgent] = await SshAgentSocketAsync(stop).ConfigureAwait(false);
        string? keys = null;
        if (gpgAgent)
        {
            sockets[AgentKinds.GpgAgent] = await GpgExtraSocketAsync(stop).ConfigureAwait(false);
            keys = await GpgPublicKeysAsync(stop).ConfigureAwait(false);
        }
        return new HostAgents(sockets, keys);
    }

    private static async Task<string> SshAgentSocketAsync(CancellationToken stop)
    {
        var path = Environment.GetEnvironmentVariable("SSH_AUTH_SOCK");
        if (string.IsNullOrEmpty(path))
            throw new HostException("--forward-agent: there is no SSH agent on the host (SSH_AUTH_SOCK is not set); start one (eval $(ssh-agent); ssh-add) or drop the forward");
        if (await AnswersAsync(path, stop).ConfigureAwait(false) is { } problem)
            throw new HostException($"--forward-agent: the SSH agent at {UntrustedText.ForLine(path)} does not answer ({problem})");
        return path;
    }

    private static async Task<string> GpgExtraSocketAsync(CancellationToken stop)
    {
        var path = (await Gpgconf("--list-dirs", "agent-extra-socket").RunAsync(stop).ConfigureAwait(false)).Trim();
        if (path.Length == 0)
            throw new HostException("--forward-gpg: gpgconf names no extra socket of gpg-agent");
        if (await AnswersAsync(path, stop).ConfigureAwait(false) is null)
            return path;
        // gpg-agent starts on demand; its extra socket is there only while it runs.
        await Gpgconf("--launch", "gpg-agent").ExecuteAsync(stop).ConfigureAwait(false);
        if (await AnswersAsync(path, stop).ConfigureAwait(false) is { } problem)
            throw new HostException($"--forward-gpg: gpg-agent's extra socket {UntrustedText.ForLine(path)} does not answer ({problem}); is gpg-agent running (gpgconf --launch gpg-agent)?");
        return path;
    }

    /// <summary>git's user.signingkey if set, else every secret key's fingerprint, exported ASCII-armored (public halves only).</summary>
    private static async Task<string> GpgPublicKeysAsync(CancellationToken stop)
    {
        var git = await new HostCommand("git").WithArguments("config", "--global", "--get", "user.signingkey").WithTimeout(ToolTimeout)
            .ExecuteAsync(stop).ConfigureAwait(false) is { ExitCode: 0 } configured ? GpgKeyListing.SigningKey(configured.Stdout) : null;
        IReadOnlyList<string> keys = git is not null ? [git]
            : GpgKeyListing.SecretFingerprints(await Gpg("--list-secret-keys", "--with-colons").RunAsync(stop).ConfigureAwait(false));
        if (keys.Count == 0)
            throw new HostException("--forward-gpg: gpg on the host has no secret key to sign with (gpg --list-secret-keys)");
        var exported = await Gpg(["--armor", "--export", "--", .. keys]).RunAsync(stop).ConfigureAwait(false);
        if (!exported.Contains("-----BEGIN PGP PUBLIC KEY BLOCK-----", StringComparison.Ordinal))
            throw new HostException($"--forward-gpg: gpg on the host exports no public key for {string.Join(", ", keys.Select(UntrustedText.ForLine))}");
        return exported;
    }

    private static HostCommand Gpgconf(params string[] arguments) => new HostCommand("gpgconf").WithArguments(arguments).WithTimeout(ToolTimeout);

    private static HostCommand Gpg(params string[] arguments) =>
        new HostCommand("gpg").WithArguments(["--batch", "--no-tty", .. arguments]).WithTimeout(ToolTimeout);

    /// <summary>Null when a Unix socket at <paramref name="path"/> accepts a connection; else what went wrong.</summary>
    private static async Task<string?> AnswersAsync(string path, CancellationToken stop)
    {
        try
        {
            using var socket = await AgentSocket.ConnectAsync(path, stop).ConfigureAwait(false);
            return null;
        }
        catch (Exception e) when (e is SocketException or IOException or ArgumentException)
        {
            return e.Message;
        }
    }
}
