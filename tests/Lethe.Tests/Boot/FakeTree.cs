using Lethe.Protocol.Boot;

namespace Lethe.Tests.Boot;

/// <summary>A made-up root for the persist plan: what lstat would say about each path.</summary>
internal sealed class FakeTree
{
    private readonly Dictionary<string, PathFacts> _paths = new(StringComparer.Ordinal);

    public static int Octal(string mode) => Convert.ToInt32(mode, 8);

    /// <summary>A Debian root with user dev (1000:1000, home 0700) and an empty persist disk.</summary>
    public static FakeTree Image() => new FakeTree()
        .Dir("/etc", 0, 0, "755")
        .Dir("/etc/ssh", 0, 0, "755")
        .File("/etc/ssh/ssh_config", 0, 0, "644")
        .Dir("/var", 0, 0, "755")
        .Dir("/var/lib", 0, 0, "755")
        .Dir("/var/cache", 0, 0, "755")
        .Link("/var/run")
        .Dir("/var/spool", 0, 0, "755")
        .Dir("/var/spool/cron", 0, 0, "755")
        .Dir("/var/spool/cron/crontabs", 0, 101, "1730")
        .Dir("/home", 0, 0, "755")
        .Dir("/home/dev", 1000, 1000, "700")
        .File("/home/dev/.bashrc", 1000, 1000, "644")
        .Dir("/persist", 0, 0, "700")
        .Dir("/persist/data", 0, 0, "755")
        .Dir("/persist/identity", 0, 0, "700");

    public FakeTree Dir(string path, int uid, int gid, string mode) => Add(path, new PathFacts(PathKind.Directory, uid, gid, Octal(mode)));

    public FakeTree File(string path, int uid, int gid, string mode) => Add(path, new PathFacts(PathKind.File, uid, gid, Octal(mode)));

    public FakeTree Link(string path) => Add(path, new PathFacts(PathKind.Symlink, 0, 0, Octal("777")));

    public FakeTree Fifo(string path) => Add(path, new PathFacts(PathKind.Other, 0, 0, Octal("644")));

    public PathFacts? Lstat(string path) => _paths.GetValueOrDefault(path);

    private FakeTree Add(string path, PathFacts facts)
    {
        _paths[path] = facts;
        return this;
    }
}
