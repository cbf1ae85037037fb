using System.Text;

namespace Lethe.Machine.Ssh;

/// <summary>Everything ssh needs to reach one machine; built from its <see cref="SshProfile"/> and files.</summary>
/// <param name="ProxyCommand">The lethe proxy NAME command line, already quoted for a shell.</param>
/// <param name="GpgAgentSocket">The host's gpg-agent extra socket to forward; null: none.</param>
public sealed record SshTarget(
    string Name,
    string User,
    string KnownHosts,
    string ProxyCommand,
    string? IdentityFile,
    bool ForwardAgent,
    IReadOnlyList<string> SendEnv,
    string? GpgAgentSocket,
    int Uid);

/// <summary>
/// Pure: ssh options for a machine, as -o arguments (lethe ssh) or as a Host block (lethe ssh-config). The
/// host key is checked strictly against the machine's own known_hosts, under the alias NAME.lethe; the
/// connection goes through lethe proxy NAME, never a network port.
/// </summary>
public static class SshCommandLine
{
    public static IReadOnlyList<(string Key, string Value)> Options(SshTarget target)
    {
        var options = new List<(string, string)>
        {
            ("User", target.User),
            ("ProxyCommand", target.ProxyCommand),
            ("HostKeyAlias", MachineSshFiles.Alias(target.Name)),
            ("UserKnownHostsFile", ConfigWord(target.KnownHosts)),
            ("GlobalKnownHostsFile", "/dev/null"),
            ("StrictHostKeyChecking", "yes"),
            ("UpdateHostKeys", "no"),
            ("CheckHostIP", "no"),
            ("PasswordAuthentication", "no"),
            ("KbdInteractiveAuthentication", "no"),
        };
        if (target.IdentityFile is { } identity)
        {
            options.Add(("IdentityFile", ConfigWord(identity)));
            options.Add(("IdentitiesOnly", "yes"));
        }
        options.Add(("ForwardAgent", target.ForwardAgent ? "yes" : "no"));
        foreach (var name in target.SendEnv)
            options.Add(("SendEnv", name));
        if (target.GpgAgentSocket is { } socket)
            options.Add(("RemoteForward", $"{ConfigWord(GuestGpgSocket(target.Uid))} {ConfigWord(socket)}"));
        return options;
    }

    /// <summary>ssh's arguments: the options, then "--", the alias and the command (which ssh hands to the user's shell).</summary>
    public static IReadOnlyList<string> Arguments(SshTarget target, IReadOnlyList<string> command, bool terminal)
    {
        var arguments = new List<string>();
        foreach (var (key, value) in Options(target))
            arguments.AddRange(["-o", $"{key}={value}"]);
        if (terminal && command.Count > 0)
            arguments.Add("-t");
        arguments.AddRange(["--", MachineSshFiles.Alias(target.Name), .. command]);
        return arguments;
    }

    public static string Block(SshTarget target)
    {
        var text = new StringBuilder($"Host {MachineSshFiles.Alias(target.Name)}\n");
        foreach (var (key, value) in Options(target))
            text.Append("  ").Append(key).Append(' ').Append(value).Append('\n');
        return text.ToString();
    }

    public static string Config(IEnumerable<SshTarget> targets) =>
        "# Written by lethe ssh-config: one block per machine; lethe replaces this file, do not edit it.\n"
        + string.Join("\n", targets.Select(Block));

    /// <summary>Where the guest's gpg looks for its agent: sshd makes the forwarded socket there.</summary>
    public static string GuestGpgSocket(int uid) => $"/run/user/{uid}/gnupg/S.gpg-agent";

    /// <summary>A path as one word of ssh's config language: % doubled (ssh expands % tokens), quoted when it has spaces.</summary>
    public static string ConfigWord(string path)
    {
        if (path.Any(c => char.IsControl(c) || c is '"' or '\''))
            throw new ArgumentException($"ssh cannot be given this path: {path}", nameof(path));
        var word = path.Replace("%", "%%", StringComparison.Ordinal);
        return word.Any(char.IsWhiteSpace) ? $"\"{word}\"" : word;
    }

    /// <summary>A program and its arguments as one /bin/sh command line, each word single-quoted; % doubled for ssh.</summary>
    public static string ShellCommand(IEnumerable<string> words) =>
        string.Join(' ', words.Select(word =>
        {
            if (word.Any(char.IsControl))
                throw new ArgumentException($"ssh cannot be given this word: {word}", nameof(words));
            return "'" + word.Replace("'", "'\\''", StringComparison.Ordinal).Replace("%", "%%", StringComparison.Ordinal) + "'";
        }));
}
