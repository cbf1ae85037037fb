using Lethe.Image.Cache;

namespace Lethe.Tests.Image;

public sealed class ComparisonTests
{
    [Fact(Timeout = 60_000)]
    public async Task Files_are_compared_byte_for_byte()
    {
        using var scratch = new ScratchFolder();
        var a = scratch.Write("a", new string('x', 100_000));
        var same = scratch.Write("same", new string('x', 100_000));
        var changed = scratch.Write("changed", new string('x', 70_000) + "y" + new string('x', 29_999));
        var longer = scratch.Write("longer", new string('x', 100_001));
        var token = TestContext.Current.CancellationToken;

        (await FileComparison.FirstDifferenceAsync(a, same, token)).ShouldBeNull();
        (await FileComparison.FirstDifferenceAsync(a, changed, token)).ShouldBe(70_000);
        (await FileComparison.FirstDifferenceAsync(a, longer, token)).ShouldBe(100_000);
    }

    [Fact(Timeout = 60_000)]
    public async Task The_first_differing_path_of_two_trees_is_named()
    {
        using var scratch = new ScratchFolder();
        foreach (var side in new[] { "a", "b" })
        {
            scratch.Write($"{side}/etc/motd", "same");
            scratch.Write($"{side}/usr/share/z", "same");
        }
        scratch.Write("a/etc/passwd", "root:x:0:0\n");
        scratch.Write("b/etc/passwd", "root:y:0:0\n");
        scratch.Write("b/var/extra", "only here");
        var token = TestContext.Current.CancellationToken;

        SetAllTimes(scratch.Combine("a"));
        SetAllTimes(scratch.Combine("b"));

        var difference = await TreeComparison.FirstDifferenceAsync(scratch.Combine("a"), scratch.Combine("b"), token);

        difference.ShouldBe(new TreeDifference("etc/passwd", "content differs from byte 5"));
        File.WriteAllText(scratch.Combine("b/etc/passwd"), "root:x:0:0\n");
        SetAllTimes(scratch.Combine("b"));
        (await TreeComparison.FirstDifferenceAsync(scratch.Combine("a"), scratch.Combine("b"), token))
            .ShouldBe(new TreeDifference("var", "only in the rebuilt image"));
    }

    private static void SetAllTimes(string root)
    {
        foreach (var path in Directory.EnumerateFileSystemEntries(root, "*", SearchOption.AllDirectories).Append(root))
            File.SetLastWriteTimeUtc(path, new DateTime(2024, 1, 1, 0, 0, 0, DateTimeKind.Utc));
    }

    [Fact]
    public void Metadata_differences_are_described()
    {
        var file = new TreeComparison.Entry("f", "644", "0:0", "10", "1704067200.0", "");

        TreeComparison.Describe("x", file, file).ShouldBeNull();
        TreeComparison.Describe("x", file, null)!.Description.ShouldBe("only in the cached image");
        TreeComparison.Describe("x", null, file)!.Description.ShouldBe("only in the rebuilt image");
        TreeComparison.Describe("x", file, file with { Mode = "600" })!.Description.ShouldBe("mode 644 became 600");
        TreeComparison.Describe("x", file, file with { Owner = "1000:1000" })!.Description.ShouldBe("owner 0:0 became 1000:1000");
        TreeComparison.Describe("x", file, file with { ModifiedTime = "1.0" })!.Description.ShouldBe("mtime 1704067200.0 became 1.0");
        TreeComparison.Describe("x", file, file with { Type = "l", LinkTarget = "y" })!.Description.ShouldBe("type f became l");
        var folder = file with { Type = "d" };
        TreeComparison.Describe("x", folder, folder with { Size = "8192" }).ShouldBeNull();
    }
}
