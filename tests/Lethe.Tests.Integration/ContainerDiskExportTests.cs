using System.Formats.Tar;
using System.IO.Compression;
using System.Text.Json;
using Lethe.Core;
using Lethe.Image;
using Lethe.Image.Keys;
using Lethe.Machine.Export;
using Lethe.Spec;

namespace Lethe.Tests.Integration;

/// <summary>
/// <c>--format containerdisk</c>, packaging only: the qcow2 inside is a small real one that qemu-img makes
/// (the qcow2 format's own writer is tested on its own), injected into the real ExportService, so no image
/// is built and no VM boots. skopeo, umoci and qemu-img then read what lethe wrote.
/// </summary>
public sealed class ContainerDiskExportTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("lethe-it-containerdisk-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    /// <summary>A real, small, empty qcow2 (qemu-img create), standing in for the qcow2 format's whole-machine disk.</summary>
    private sealed class SmallQcow2Writer : IExportWriter
    {
        public async Task<ExportArtifact> ProduceAsync(ExportContext context, string folder, CancellationToken cancellationToken)
        {
            var path = Path.Combine(folder, "machine.qcow2");
            await new HostCommand("qemu-img").WithArguments("create", "-q", "-f", "qcow2", path, "64M").RunAsync(cancellationToken);
            return new ExportArtifact(path, IsDirectory: false, "qcow2", "sha256:" + ImageKey.Sha256OfFile(path));
        }
    }

    private ExportRequest Request(string output, ExportFormat format = ExportFormat.ContainerDisk, string? imageRef = null)
    {
        var spec = SpecLoader.Parse("name: kv\nuser: {name: dev, uid: 1000}\npersist: [~/src, /etc/keep]\n", Path.Combine(folder, "kv.yaml")).Spec.ShouldNotBeNull();
        // The image is not read: the injected disk writer makes the disk; only its digest is reported.
        var image = new ImageSet("sha256:" + new string('c', 64), folder, Path.Combine(folder, "absent.erofs"), "", "", "", [], FromCache: true);
        return new ExportRequest(spec, image, format, output, imageRef);
    }

    private ExportService Service() => new(
        new LethePaths(Path.Combine(folder, "cache"), Path.Combine(folder, "state"), Path.Combine(folder, "run")),
        writers: format => format == ExportFormat.ContainerDisk ? new ContainerDiskWriter(new SmallQcow2Writer()) : ExportService.WriterFor(format));

    [Fact(Timeout = 120_000)]
    public async Task Two_containerdisk_exports_are_identical_and_skopeo_umoci_and_qemu_img_read_the_disk_owned_by_qemu()
    {
        var layout = Path.Combine(folder, "kv-containerdisk");
        var check = await Service().CheckAsync(Request(layout), publish: true, TestContext.Current.CancellationToken);
        check.Identical.ShouldBeTrue(string.Join("; ", check.Differences));
        check.Format.ShouldBe("containerdisk");

        using var inspect = JsonDocument.Parse(await ExportTests.ToolAsync("skopeo", "inspect", $"oci:{layout}:latest"));
        inspect.RootElement.GetProperty("Layers").GetArrayLength().ShouldBe(1);
        inspect.RootElement.GetProperty("Labels").GetProperty("org.lethe.user").GetString().ShouldBe("dev");
        inspect.RootElement.GetProperty("Digest").GetString().ShouldBe(check.Digest);

        // The layer itself: /disk/ as root 0755, then the qcow2 as 107:107 0440, and nothing else.
        var blob = Path.Combine(layout, "blobs", "sha256", inspect.RootElement.GetProperty("Layers")[0].GetString()!["sha256:".Length..]);
        var entries = new List<TarEntry>();
        await using (var gzip = new GZipStream(File.OpenRead(blob), CompressionMode.Decompress))
        {
            using var tar = new TarReader(gzip);
            while (await tar.GetNextEntryAsync(copyData: false, TestContext.Current.CancellationToken) is { } entry)
                entries.Add(entry);
        }
        entries.Select(entry => (entry.Name, entry.Uid, entry.Gid, (int)entry.Mode)).ShouldBe(
            [("disk/", 0, 0, 0b111_101_101), ("disk/kv.qcow2", 107, 107, 0b100_100_000)]);
        entries[1].ModificationTime.ShouldBe(DateTimeOffset.FromUnixTimeSeconds(ExportContext.Epoch));

        var bundle = Path.Combine(folder, "bundle");
        await ExportTests.ToolAsync("umoci", [.. Environment.IsPrivilegedProcess ? Array.Empty<string>() : ["--rootless"], "unpack", "--image", $"{layout}:latest", bundle]);
        var disk = Path.Combine(bundle, "rootfs", "disk", "kv.qcow2");
        File.Exists(disk).ShouldBeTrue();
        if (Environment.IsPrivilegedProcess)
            (await ExportTests.ToolAsync("stat", "-c", "%u:%g %a", disk)).Trim().ShouldBe("107:107 440");
        await ExportTests.ToolAsync("qemu-img", "check", "-q", disk);
        using var info = JsonDocument.Parse(await ExportTests.ToolAsync("qemu-img", "info", "--output=json", disk));
        info.RootElement.GetProperty("format").GetString().ShouldBe("qcow2");
    }

    [Fact(Timeout = 120_000)]
    public async Task An_output_ending_in_tar_is_an_oci_archive_that_skopeo_reads()
    {
        var archive = Path.Combine(folder, "kv-containerdisk.tar");
        var result = await Service().ExportAsync(Request(archive), TestContext.Current.CancellationToken);
        result.Kind.ShouldBe("containerdisk (oci-archive)");
        using var inspect = JsonDocument.Parse(await ExportTests.ToolAsync("skopeo", "inspect", $"oci-archive:{archive}"));
        inspect.RootElement.GetProperty("Digest").GetString().ShouldBe(result.Digest);
        inspect.RootElement.GetProperty("Layers").GetArrayLength().ShouldBe(1);
    }

    [Fact(Timeout = 60_000)]
    public async Task A_k8s_export_is_reproducible_and_names_the_image_reference_and_the_persist_claim()
    {
        var output = Path.Combine(folder, "kv.kubevirt.yaml");
        const string reference = "registry.example/team/kv:v1";
        var check = await Service().CheckAsync(Request(output, ExportFormat.K8s, reference), publish: true, TestContext.Current.CancellationToken);
        check.Identical.ShouldBeTrue(string.Join("; ", check.Differences));
        var yaml = await File.ReadAllTextAsync(output, TestContext.Current.CancellationToken);
        yaml.ShouldContain($"image: \"{reference}\"");
        yaml.ShouldContain("claimName: \"kv-persist\"");
        yaml.ShouldContain("serial: \"lethe-persist\"");
    }

    [Fact(Timeout = 120_000)]
    public async Task K8s_without_an_image_reference_or_with_a_malformed_one_is_a_one_line_usage_error()
    {
        var spec = Path.Combine(folder, "kv.yaml");
        await File.WriteAllTextAsync(spec, "name: kv\n", TestContext.Current.CancellationToken);
        foreach (var (arguments, expected) in new[]
        {
            (new[] { "export", "--format", "k8s", "--spec", spec }, "--image-ref: required with --format k8s"),
            (["export", "--format", "k8s", "--image-ref", "Registry/Bad Ref", "--spec", spec], "is not an image reference"),
            (["export", "--format", "containerdisk", "--image-ref", "registry.example/kv", "--spec", spec], "--image-ref is only for --format k8s"),
        })
        {
            var result = await LetheProcess.RunAsync(arguments);
            result.ExitCode.ShouldBe(2, result.ToString());
            result.Stderr.Trim().Split('\n').ShouldHaveSingleItem().ShouldContain(expected);
        }
    }
}
