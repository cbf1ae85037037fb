using Lethe.Spec;

namespace Lethe.Machine.Secrets;

/// <summary>
/// share.git_config on the host: reads the files git reads as the user's global config ($GIT_CONFIG_GLOBAL,
/// else $XDG_CONFIG_HOME/git/config (default ~/.config/git/config) and then ~/.gitconfig) and sanitizes them
/// (<see cref="GitConfigSanitizer"/>). The environment is injected so that tests can point it anywhere.
/// </summary>
public sealed class HostGitConfig(Func<string, string?> variable)
{
    /// <summary>A global config larger than this is not staged.</summary>
    public const int MaxBytes = 256 * 1024;

    public static HostGitConfig FromEnvironment() => new(Environment.GetEnvironmentVariable);

    /// <summary>What to stage for this spec; no text when the spec does not ask, or the host has no config.</summary>
    public SanitizedGitConfig For(MachineSpec spec)
    {
        if (!spec.Share.GitConfig)
            return new SanitizedGitConfig(null, []);
        var home = variable("HOME") is { Length: > 0 } h ? h : Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        var configs = new List<(string, string)>();
        foreach (var path in Files(home))
        {
            var text = ReadSmall(path, out var tooLarge);
            if (tooLarge)
                return new SanitizedGitConfig(null, [$"share.git_config: {path} is over {MaxBytes / 1024} KiB, so nothing is staged"]);
            if (text is not null)
                configs.Add((path, text));
        }
        return GitConfigSanitizer.Sanitize(configs, new SigningAgents(spec.Ssh.ForwardAgent, spec.Gpg.ForwardAgent), home,
            path => ReadSmall(path, out _));
    }

    private IEnumerable<string> Files(string home)
    {
        if (variable("GIT_CONFIG_GLOBAL") is { Length: > 0 } global)
        {
            yield return global;
            yield break;
        }
        var xdg = variable("XDG_CONFIG_HOME") is { Length: > 0 } configHome && Path.IsPathRooted(configHome) ? configHome : Path.Join(home, ".config");
        yield return Path.Join(xdg, "git", "config");
        yield return Path.Join(home, ".gitconfig");
    }

    /// <summary>
    /// The file's text, or null when it is missing or not a regular file (a FIFO or device is never opened).
    /// A link is followed: dotfile managers link ~/.gitconfig, and this is the user's own file, read as them.
    /// </summary>
    private static string? ReadSmall(string path, out bool tooLarge)
    {
        tooLarge = false;
        try
        {
            var target = File.ResolveLinkTarget(path, returnFinalTarget: true)?.FullName ?? path;
            if (Lethe.Core.PosixFiles.LStat(target) is not { IsRegularFile: true } facts)
                return null;
            using var stream = new FileStream(target, FileMode.Open, FileAccess.Read);
            var buffer = new byte[MaxBytes + 1];
            var read = facts.Size > MaxBytes ? buffer.Length : stream.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);
            if (read > MaxBytes)
            {
                tooLarge = true;
                return null;
            }
            return System.Text.Encoding.UTF8.GetString(buffer, 0, read);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
