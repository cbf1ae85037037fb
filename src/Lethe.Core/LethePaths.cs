namespace Lethe.Core;

/// <summary>
/// Where lethe keeps things (XDG). LETHE_HOME, when set, puts all three under one folder (tests use it).
/// </summary>
public sealed record LethePaths(string Cache, string State, string Runtime)
{
    public string Images => Path.Combine(Cache, "images");
    public string Machines => Path.Combine(State, "machines");
    public string Runs => Path.Combine(Runtime, "runs");
    /// <summary>Scratch disk files: on disk (never tmpfs), under the cache.</summary>
    public string Scratch => Path.Combine(Cache, "scratch");
    /// <summary>Console logs kept from runs that failed or ran with --debug.</summary>
    public string Logs => Path.Combine(State, "logs");

    /// <summary>The names a runtime base has here: LETHE_HOME/run, $XDG_RUNTIME_DIR/lethe, /tmp/lethe-USER.</summary>
    public static bool IsRuntimeBaseName(string folderName) =>
        folderName is "run" or "lethe" || folderName.StartsWith("lethe-", StringComparison.Ordinal);

    public static LethePaths FromEnvironment(Func<string, string?>? getVariable = null)
    {
        getVariable ??= System.Environment.GetEnvironmentVariable;
        var letheHome = getVariable("LETHE_HOME");
        if (!string.IsNullOrEmpty(letheHome))
        {
            var root = Path.GetFullPath(letheHome);
            return new LethePaths(Path.Combine(root, "cache"), Path.Combine(root, "state"), Path.Combine(root, "run"));
        }
        var home = getVariable("HOME") is { Length: > 0 } h ? h : System.Environment.GetFolderPath(System.Environment.SpecialFolder.UserProfile);
        string Xdg(string variable, string fallback) =>
            getVariable(variable) is { Length: > 0 } value && Path.IsPathRooted(value) ? value : fallback;
        var cache = Path.Combine(Xdg("XDG_CACHE_HOME", Path.Combine(home, ".cache")), "lethe");
        var state = Path.Combine(Xdg("XDG_STATE_HOME", Path.Combine(home, ".local", "state")), "lethe");
        var runtimeBase = getVariable("XDG_RUNTIME_DIR") is { Length: > 0 } rt && Directory.Exists(rt)
            ? rt
            : Path.Combine(Path.GetTempPath(), $"lethe-{System.Environment.UserName}");
        var runtime = runtimeBase.EndsWith($"lethe-{System.Environment.UserName}", StringComparison.Ordinal) ? runtimeBase : Path.Combine(runtimeBase, "lethe");
        return new LethePaths(cache, state, runtime);
    }
}
