using Lethe.Image.Cache;

namespace Lethe.Tests.Image;

public sealed class ImageSetFolderTests
{
    [Fact]
    public void A_folder_is_an_image_only_with_all_files_and_its_manifest()
    {
        using var scratch = new ScratchFolder();
        var folder = scratch.Path;
        var part = new RootfsPart("key", folder, "6.1.0-50-amd64", ["apt=2.6.1"]);
        foreach (var name in Lethe.Image.ImageFiles.Compared)
            File.WriteAllText(Path.Combine(folder, name), name);

        ImageSetFolder.TryLoad(folder).ShouldBeNull();
        ImageSetFolder.WriteManifest(folder, "digest", part);
        var set = ImageSetFolder.TryLoad(folder).ShouldNotBeNull();

        set.Digest.ShouldBe("digest");
        set.KernelVersion.ShouldBe("6.1.0-50-amd64");
        set.Packages.ShouldBe(["apt=2.6.1"]);
        set.RootfsPath.ShouldBe(Path.Combine(folder, "rootfs.erofs"));
        set.FromCache.ShouldBeTrue();
        File.ReadAllText(Path.Combine(folder, "manifest.json")).ShouldContain("\"kernelVersion\": \"6.1.0-50-amd64\"");

        File.Delete(Path.Combine(folder, "vmlinux"));
        ImageSetFolder.TryLoad(folder).ShouldBeNull();
    }

    [Fact]
    public void The_erofs_image_gets_a_fixed_uuid_and_clamped_timestamps()
    {
        var uuid = Guid.Parse("11111111-2222-4333-8444-555555555555");
        var command = Lethe.Image.Erofs.ErofsPacker.Command("/tree", "/out/rootfs.erofs", uuid);

        command.Arguments.ShouldBe(["--quiet", "-U11111111-2222-4333-8444-555555555555", "/out/rootfs.erofs", "/tree"]);
        command.Environment["SOURCE_DATE_EPOCH"].ShouldBe("1704067200");
    }
}
