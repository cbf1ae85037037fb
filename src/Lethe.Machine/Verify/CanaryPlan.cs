using Lethe.Machine.Persist;

namespace Lethe.Machine.Verify;

/// <summary>A marker file with known content, owner and mode, and whether a reboot must keep it.</summary>
public sealed record Canary(string Path, bool MustSurvive, int Uid, int Gid, string Mode, string Content);

/// <summary>
/// Pure: where lethe verify writes its canaries (the automated form of the seeds' canary test). Outside
/// the allowlist in the places a machine changes (/etc, /var, /root, /opt, /tmp, the home), and inside
/// every allowlisted directory, each with the owner a user there would have.
/// </summary>
public static class CanaryPlan
{
    public static readonly IReadOnlyList<string> OutsideFolders = ["/etc", "/var", "/root", "/opt", "/tmp"];

    public static IReadOnlyList<Canary> For(string token, string home, int uid, int gid, IReadOnlyList<string> allowlist, IReadOnlySet<string> allowlistedDirectories)
    {
        var name = $".lethe-canary-{token}";
        var outside = OutsideFolders.Select(folder => new Canary($"{folder}/{name}", false, 0, 0, "600", $"outside {token}"))
            .Append(new Canary($"{home}/{name}", false, uid, gid, "640", $"outside {token}"));
        var inside = allowlist.Where(allowlistedDirectories.Contains).Select(path =>
        {
            var user = FileListing.IsWithin(path, home);
            return new Canary($"{path}/{name}", true, user ? uid : 0, user ? gid : 0, "640", $"inside {token} {path}");
        });
        return outside.Where(c => !allowlist.Any(kept => FileListing.IsWithin(c.Path, kept))).Concat(inside).ToList();
    }

    /// <summary>A shell script (run as root) that writes every canary, then syncs.</summary>
    public static string WriteScript(IEnumerable<Canary> canaries) =>
        string.Join('\n', canaries.Select(c =>
            $"printf %s {Quote(c.Content)} > {Quote(c.Path)} && chown {c.Uid}:{c.Gid} {Quote(c.Path)} && chmod {c.Mode} {Quote(c.Path)} || exit 1")) + "\nsync\n";

    /// <summary>Prints "PATH<TAB>uid gid mode<TAB>content" for each present canary, "PATH<TAB>-" for a missing one.</summary>
    public static string ReadScript(IEnumerable<Canary> canaries) =>
        string.Join('\n', canaries.Select(c =>
            $"if [ -e {Quote(c.Path)} ]; then printf '%s\\t%s\\t%s\\n' {Quote(c.Path)} \"$(stat -c '%u %g %a' {Quote(c.Path)})\" \"$(cat {Quote(c.Path)})\"; else printf '%s\\t-\\n' {Quote(c.Path)}; fi")) + "\n";

    public static string RemoveScript(IEnumerable<Canary> canaries) =>
        "rm -f -- " + string.Join(' ', canaries.Select(c => Quote(c.Path))) + "\n";

    public static string Quote(string text) => "'" + text.Replace("'", "'\\''") + "'";
}
