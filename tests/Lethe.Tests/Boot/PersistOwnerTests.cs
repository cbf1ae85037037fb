using Lethe.Protocol.Boot;

namespace Lethe.Tests.Boot;

public sealed class PersistOwnerTests
{
    private const string Passwd = """
        root:x:0:0:root:/root:/bin/bash
        daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin
        postgres:x:105:111:PostgreSQL administrator,,,:/var/lib/postgresql:/bin/bash
        dev:x:1000:1000::/home/dev:/bin/bash
        broken line
        """;

    [Theory]
    [InlineData("root", 0, 0)]
    [InlineData("postgres", 105, 111)]
    [InlineData("dev", 1000, 1000)]
    [InlineData("105", 105, 111)]
    [InlineData("2000", 2000, 2000)]
    [InlineData("1000:100", 1000, 100)]
    [InlineData("0:0", 0, 0)]
    public void Names_and_numbers_resolve_to_ids(string owner, int uid, int gid) =>
        PersistOwner.Resolve(owner, Passwd).ShouldBe(new OwnerIds(uid, gid));

    [Theory]
    [InlineData("nobody")]
    [InlineData("Dev")]
    [InlineData("")]
    [InlineData("1:2:3")]
    [InlineData("dev:dev")]
    [InlineData("-1")]
    [InlineData("1000:")]
    [InlineData("broken line")]
    public void Unknown_names_and_wrong_forms_do_not_resolve(string owner) =>
        PersistOwner.Resolve(owner, Passwd).ShouldBeNull();
}
