using Lethe.Protocol;
using Lethe.Protocol.Boot;

namespace Lethe.Tests.Boot;

/// <summary>Shorthands for the persist plan tests: user dev (1000:1000) and a passwd with postgres.</summary>
internal static class PersistPlanning
{
    public static readonly GuestUser Dev = new("dev", 1000, 1000, "/home/dev", "/bin/bash");

    private const string Passwd = "root:x:0:0:root:/root:/bin/bash\npostgres:x:105:111::/var/lib/postgresql:/bin/bash\ndev:x:1000:1000::/home/dev:/bin/bash\n";

    public static PersistPlan Plan(FakeTree tree, params PersistPath[] entries) =>
        PersistPlan.For(entries, Dev, tree.Lstat, owner => PersistOwner.Resolve(owner, Passwd));

    public static IReadOnlyList<BootStep> Steps(FakeTree tree, params PersistPath[] entries)
    {
        var plan = Plan(tree, entries);
        plan.Problems.ShouldBeEmpty();
        return plan.Steps;
    }

    public static Ownership Own(int uid, int gid, string mode) => new(uid, gid, FakeTree.Octal(mode));

    public static PersistPath Home(string path, PersistKind kind = PersistKind.Auto, string? mode = null, string? owner = null) =>
        new("/home/dev/" + path, kind, mode is null ? null : FakeTree.Octal(mode), owner, InHome: true);

    public static PersistPath At(string path, PersistKind kind = PersistKind.Auto, string? mode = null, string? owner = null) =>
        new(path, kind, mode is null ? null : FakeTree.Octal(mode), owner);
}
