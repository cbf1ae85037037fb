using Lethe.Protocol.Modules;

namespace Lethe.Tests.Modules;

public sealed class ModuleTableTests
{
    private const string Text =
        "virtio\tkernel/drivers/virtio/virtio.ko\t\n" +
        "virtio_ring\tkernel/drivers/virtio/virtio_ring.ko\t\n" +
        "virtio_blk\tkernel/drivers/block/virtio_blk.ko\tvirtio_ring,virtio\n" +
        "crc32c_generic\tkernel/crypto/crc32c_generic.ko\t\n" +
        "libcrc32c\tkernel/lib/libcrc32c.ko\tcrc32c_generic\n" +
        "erofs\tkernel/fs/erofs/erofs.ko\tlibcrc32c\n" +
        "dm_mod\tkernel/drivers/md/dm-mod.ko\t\n" +
        "dm_crypt\tkernel/drivers/md/dm-crypt.ko\tdm_mod\n";

    [Fact]
    public void Parse_then_format_gives_the_same_text()
    {
        var table = ModuleTable.Parse(Text);

        table.Format().ShouldBe(Text);
        table.Entries.Count.ShouldBe(8);
        table.Entries[2].ShouldSatisfyAllConditions(
            entry => entry.Name.ShouldBe("virtio_blk"),
            entry => entry.Path.ShouldBe("kernel/drivers/block/virtio_blk.ko"),
            entry => entry.Dependencies.ShouldBe(["virtio_ring", "virtio"]));
    }

    [Fact]
    public void Load_order_is_the_closure_with_dependencies_first_each_once()
    {
        var table = ModuleTable.Parse(Text);

        var order = table.LoadOrder(["erofs", "virtio_blk", "erofs"]).Select(entry => entry.Name);

        order.ShouldBe(["virtio", "virtio_ring", "virtio_blk", "crc32c_generic", "libcrc32c", "erofs"]);
    }

    [Fact]
    public void Wanted_names_not_in_the_table_are_built_in_and_skipped()
    {
        var table = ModuleTable.Parse(Text);

        table.LoadOrder(["overlay", "dm_crypt"]).Select(entry => entry.Name).ShouldBe(["dm_mod", "dm_crypt"]);
        table.LoadOrder(["overlay"]).ShouldBeEmpty();
    }

    [Fact]
    public void Dashes_and_underscores_name_the_same_module()
    {
        var table = ModuleTable.Parse("dm-mod\tkernel/drivers/md/dm-mod.ko\t\ndm-crypt\tkernel/drivers/md/dm-crypt.ko\tdm-mod\n");

        table.Entries.Select(entry => entry.Name).ShouldBe(["dm_mod", "dm_crypt"]);
        table.Entries[1].Dependencies.ShouldBe(["dm_mod"]);
        table.LoadOrder(["dm-crypt"]).Select(entry => entry.Name).ShouldBe(["dm_mod", "dm_crypt"]);
        table.Contains("dm-crypt").ShouldBeTrue();
    }

    [Fact]
    public void Blank_lines_comments_and_a_missing_dependency_column_are_accepted()
    {
        var table = ModuleTable.Parse("# modules\n\noverlay\tkernel/fs/overlayfs/overlay.ko\r\n");

        table.Entries.ShouldHaveSingleItem().Dependencies.ShouldBeEmpty();
    }

    [Theory]
    [InlineData("erofs\tkernel/fs/erofs/erofs.ko\tlibcrc32c\n", "needs libcrc32c, which is not listed before it")]
    [InlineData("a\ta.ko\t\na\ta.ko\t\n", "listed twice")]
    [InlineData("just-a-name\n", "line 1")]
    [InlineData("\tpath.ko\t\n", "needs a name")]
    public void Malformed_tables_are_rejected(string text, string expected)
    {
        Should.Throw<FormatException>(() => ModuleTable.Parse(text)).Message.ShouldContain(expected);
    }
}
