using Lethe.Machine.Persist;
using Lethe.Protocol.Boot;

namespace Lethe.Machine.Verify;

/// <summary>A marker file with known content, owner and mode (permission bits), and whether a reboot must keep it.</summary>
public sealed record Canary(string Path, bool MustSurvive, int Uid, int Gid, int Mode, string Content)
{
    public string Stat => $"{Uid} {Gid} {Convert.ToString(Mode, 8)}";
}

/// <summary>
/// Pure: where lethe verify writes its canaries (the automated form of the seeds' canary test). Outside
/// the allowlist in the places a machine changes (/etc, /var, /root, /opt, /tmp, the home), and inside
/// every allowlisted directory, each with the owner a user there would have. The canaries are written,
/// read back and removed as guest steps, which never follow a link: the home and kept folders belong
/// to the user, who may plant links there.
/// </summary>
public static class CanaryPlan
{
    public static readonly IReadOnlyList<string> OutsideFolders = ["/etc", "/var", "/root", "/opt", "/tmp"];

    public static IReadOnlyList<Canary> For(string token, string home, int uid, int gid, IReadOnlyList<string> allowlist, IReadOnlySet<string> allowlistedDirectories)
    {
        var name = $".lethe-canary-{token}";
        var outside = OutsideFolders.Select(folder => new Canary($"{folder}/{name}", false, 0, 0, 0b110_000_000, $"outside {token}"))
            .Append(new Canary($"{home}/{name}", false, uid, gid, 0b110_100_000, $"outside {token}"));
        var inside = allowlist.Where(allowlistedDirectories.Contains).Select(path =>
        {
            var user = FileListing.IsWithin(path, home);
            return new Canary($"{path}/{name}", true, user ? uid : 0, user ? gid : 0, 0b110_100_000, $"inside {token} {path}");
        });
        return outside.Where(c => !allowlist.Any(kept => FileListing.IsWithin(c.Path, kept))).Concat(inside).ToList();
    }

    public static IReadOnlyList<BootStep> Write(IEnumerable<Canary> canaries) =>
        canaries.Select(c => (BootStep)new WriteNewFile(c.Path, new Ownership(c.Uid, c.Gid, c.Mode), c.Content)).ToList();

    public static IReadOnlyList<BootStep> Read(IEnumerable<Canary> canaries) =>
        canaries.Select(c => (BootStep)new ReadEntry(c.Path)).ToList();

    /// <summary>Each canary is removed from its own folder, and nothing else can be.</summary>
    public static IReadOnlyList<BootStep> Remove(IEnumerable<Canary> canaries) =>
        canaries.Select(c => (BootStep)new RemoveEntry(c.Path, c.Path[..c.Path.LastIndexOf('/')] is { Length: > 0 } folder ? folder : "/")).ToList();

    /// <summary>The allowlisted paths that are folders, as the guest saw them without following links.</summary>
    public static IReadOnlySet<string> Directories(IReadOnlyList<string> allowlist, IReadOnlyList<StepOutcome> lstat) =>
        allowlist.Zip(lstat).Where(p => p.Second.Facts?.Kind == PathKind.Directory).Select(p => p.First).ToHashSet(StringComparer.Ordinal);
}
