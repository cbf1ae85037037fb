using Lethe.Machine.Export;
using Lethe.Tests.Image;

namespace Lethe.Tests.Export;

public sealed class ExportArtifactTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private static string Layout(ScratchFolder scratch, string name, string blob)
    {
        var root = Directory.CreateDirectory(scratch.Combine(name)).FullName;
        Directory.CreateDirectory(Path.Combine(root, "blobs", "sha256"));
        File.WriteAllText(Path.Combine(root, "index.json"), "{}");
        File.WriteAllText(Path.Combine(root, "blobs", "sha256", "abc"), blob);
        return root;
    }

    [Fact(Timeout = 30_000)]
    public async Task Two_identical_layouts_compare_equal_and_a_changed_blob_is_named()
    {
        using var scratch = new ScratchFolder();
        var first = new ExportArtifact(Layout(scratch, "a", "layer"), true, "oci layout", "d");
        (await ExportArtifact.CompareAsync(first, new ExportArtifact(Layout(scratch, "b", "layer"), true, "oci layout", "d"), Token)).ShouldBeEmpty();

        var changed = await ExportArtifact.CompareAsync(first, new ExportArtifact(Layout(scratch, "c", "lazer"), true, "oci layout", "d"), Token);
        changed.ShouldBe([new ExportDifference("blobs/sha256/abc", "differs from byte 2")]);
    }

    [Fact(Timeout = 30_000)]
    public async Task A_file_only_in_one_export_is_named()
    {
        using var scratch = new ScratchFolder();
        var a = Layout(scratch, "a", "x");
        var b = Layout(scratch, "b", "x");
        File.WriteAllText(Path.Combine(b, "extra"), "");
        var differences = await ExportArtifact.CompareAsync(new ExportArtifact(a, true, "", ""), new ExportArtifact(b, true, "", ""), Token);
        differences.ShouldBe([new ExportDifference("extra", "only in the second export")]);
    }

    [Fact(Timeout = 30_000)]
    public async Task Publishing_never_writes_through_a_planted_link_or_into_an_existing_folder()
    {
        using var scratch = new ScratchFolder();
        var victim = scratch.Combine("victim");
        File.WriteAllText(victim, "keep");
        var link = scratch.Combine("out.tar.gz");
        File.CreateSymbolicLink(link, victim);
        var file = scratch.Combine("artifact");
        File.WriteAllText(file, "export");

        await Should.ThrowAsync<Lethe.Core.UsageException>(() => new ExportArtifact(file, false, "", "").PublishAsync(link, Token));
        File.ReadAllText(victim).ShouldBe("keep");

        var planted = Directory.CreateDirectory(scratch.Combine("out-oci")).FullName;
        await Should.ThrowAsync<Lethe.Core.UsageException>(() => new ExportArtifact(Layout(scratch, "layout", "x"), true, "", "").PublishAsync(planted, Token));
        Directory.EnumerateFileSystemEntries(planted).ShouldBeEmpty();
    }

    [Fact(Timeout = 30_000)]
    public async Task A_layout_is_published_into_a_new_folder_with_every_file()
    {
        using var scratch = new ScratchFolder();
        var output = scratch.Combine("out-oci");
        await new ExportArtifact(Layout(scratch, "layout", "blob"), true, "", "").PublishAsync(output, Token);
        File.ReadAllText(Path.Combine(output, "blobs", "sha256", "abc")).ShouldBe("blob");
        File.Exists(Path.Combine(output, "index.json")).ShouldBeTrue();
    }
}
