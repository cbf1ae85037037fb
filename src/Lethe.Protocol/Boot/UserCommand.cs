using System.Diagnostics;
namespace Lethe.Protocol.Boot;

/// <summary>
/// Pure: how an <see cref="ExecRequest"/> becomes a process in the guest. The command runs as the
/// spec's user through util-linux setpriv (no fork in a managed PID 1), and a terminal request runs it
/// under util-linux script, which gives it a pseudo-terminal of its own. A root command (lethe's own
/// checks) names its program by absolute path and gets a fixed environment: nothing from the spec,
/// whose PATH or LD_PRELOAD a spec in a cloned repository chooses.
/// </summary>
public static class UserCommand
{
    public const string DefaultPath = "/usr/local/bin:/usr/bin:/bin:/usr/local/sbin:/usr/sbin:/sbin";
    public const string RootPath = "/usr/sbin:/usr/bin:/sbin:/bin";

    /// <summary>The whole environment of a root command.</summary>
    public static IReadOnlyDictionary<string, string> RootEnvironment { get; } = new Dictionary<string, string>
    {
        ["PATH"] = RootPath,
        ["LANG"] = "C.UTF-8",
        ["HOME"] = "/root",
        ["USER"] = "root",
        ["LOGNAME"] = "root",
    };

    /// <param name="sessionEnvironment">What the guest adds for this session alone (SSH_AUTH_SOCK of a
    /// forwarded agent); it wins over the spec's env. Never given to a root command.</param>
    public static ProcessStartInfo StartInfo(ExecRequest request, GuestSeed seed, IReadOnlyDictionary<string, string>? sessionEnvironment = null)
    {
        var user = request.AsRoot ? new GuestUser("root", 0, 0, "/root", "/bin/sh") : seed.User;
        var argv = request.Argv.Count > 0 ? request.Argv : [user.Shell, "-l"];
        if (request.AsRoot && !argv[0].StartsWith('/'))
            throw new ArgumentException($"a root command must name its program by absolute path, not '{argv[0]}'");
        var info = new ProcessStartInfo("/usr/bin/setpriv")
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = !request.Tty,
            WorkingDirectory = request.AsRoot ? "/" : request.WorkingDirectory is { } cwd && Directory.Exists(cwd) ? cwd : user.Home,
        };
        foreach (var a in request.AsRoot ? ["--"] : new[] { $"--reuid={user.Uid}", $"--regid={user.Gid}", "--init-groups", "--" })
            info.ArgumentList.Add(a);
        if (request.Tty)
        {
            var size = request.Rows > 0 && request.Columns > 0 ? $"stty rows {request.Rows} cols {request.Columns} 2>/dev/null; " : "";
            foreach (var a in new[] { "/usr/bin/script", "--quiet", "--return", "--command", size + "exec " + ShellQuote(argv), "/dev/null" })
                info.ArgumentList.Add(a);
        }
        else
        {
            foreach (var a in argv)
                info.ArgumentList.Add(a);
        }

        info.Environment.Clear();
        if (request.AsRoot)
        {
            foreach (var (name, value) in RootEnvironment)
                info.Environment[name] = value;
            return info;
        }
        info.Environment["HOME"] = user.Home;
        info.Environment["USER"] = user.Name;
        info.Environment["LOGNAME"] = user.Name;
        info.Environment["SHELL"] = user.Shell;
        info.Environment["PATH"] = DefaultPath;
        info.Environment["LANG"] = "C.UTF-8";
        info.Environment["TERM"] = request.Term ?? (request.Tty ? "xterm-256color" : "dumb");
        foreach (var (name, value) in seed.Environment ?? new Dictionary<string, string>())
            info.Environment[name] = value;
        // send_env last, so a session's own value wins over the spec's; a name that could not be a
        // variable (a host that broke the rules) is skipped rather than handed to execve.
        foreach (var (name, value) in request.Environment ?? new Dictionary<string, string>())
            if (IsVariableName(name) && !value.Contains('\0', StringComparison.Ordinal))
                info.Environment[name] = value;
        foreach (var (name, value) in sessionEnvironment ?? new Dictionary<string, string>())
            info.Environment[name] = value;
        return info;
    }

    /// <summary>Letters, digits and '_', not starting with a digit: what send_env accepts on the host too.</summary>
    public static bool IsVariableName(string name) =>
        name.Length is > 0 and <= 128 && !char.IsAsciiDigit(name[0]) && name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_');

    public static string ShellQuote(IEnumerable<string> argv) =>
        string.Join(' ', argv.Select(a => a.Length > 0 && a.All(c => char.IsAsciiLetterOrDigit(c) || "-_./=:,+@%".Contains(c))
            ? a
            : "'" + a.Replace("'", "'\\''") + "'"));
}
