using System.Formats.Tar;
using System.IO.Compression;
using System.Text.Json;

namespace Lethe.Tests.Integration;

/// <summary>
/// lethe export as an ordinary user: the tree is read in the build's user namespace, so the layer has the
/// image's owners and special bits, not the user's subordinate ids. CI runs this part as such a user; as root it skips.
/// </summary>
[Collection(MachineCollection.Name)]
[Trait("part", "unprivileged")]
public sealed class ExportUnprivilegedTests(TestImage image) : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("lethe-it-export-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    [Fact(Timeout = 600_000)]
    public async Task An_oci_export_made_by_a_user_keeps_the_images_owners_and_setuid_bits()
    {
        if (Environment.IsPrivilegedProcess)
            Assert.Skip("checks the export of a user who is not root; CI runs this part as one (.ci/run)");
        var layout = Path.Combine(folder, "oci");
        var export = await LetheProcess.RunAsync(["export", "--format", "oci", "--spec", image.WorkstationSpec, "-o", layout], timeout: TimeSpan.FromMinutes(9));
        export.ExitCode.ShouldBe(0, export.ToString());

        using var index = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(layout, "index.json"), TestContext.Current.CancellationToken));
        var manifestDigest = index.RootElement.GetProperty("manifests")[0].GetProperty("digest").GetString()!;
        using var manifest = JsonDocument.Parse(await File.ReadAllTextAsync(Blob(layout, manifestDigest), TestContext.Current.CancellationToken));
        var layer = Blob(layout, manifest.RootElement.GetProperty("layers")[0].GetProperty("digest").GetString()!);

        await using var gzip = new GZipStream(File.OpenRead(layer), CompressionMode.Decompress);
        using var tar = new TarReader(gzip);
        var seen = new Dictionary<string, string>();
        while (await tar.GetNextEntryAsync(copyData: false, TestContext.Current.CancellationToken) is { } entry)
        {
            if (entry.Name is "./etc/shadow" or "./home/dev/" or "./usr/bin/sudo")
                seen[entry.Name] = $"{entry.Uid}:{entry.Gid} {Convert.ToString((int)entry.Mode, 8)}";
        }
        seen.ShouldBe(new Dictionary<string, string>
        {
            ["./etc/shadow"] = "0:42 640",
            ["./home/dev/"] = "1000:1000 755",
            ["./usr/bin/sudo"] = "0:0 4755",
        });
    }

    [Fact(Timeout = 600_000)]
    public async Task A_qcow2_export_made_by_a_user_is_a_whole_checked_disk()
    {
        if (Environment.IsPrivilegedProcess)
            Assert.Skip("checks the export of a user who is not root; CI runs this part as one (.ci/run)");
        var disk = Path.Combine(folder, "ws.qcow2");
        var export = await LetheProcess.RunAsync(["export", "--format", "qcow2", "--spec", image.WorkstationSpec, "--persist-size", "32", "-o", disk],
            timeout: TimeSpan.FromMinutes(9));
        export.ExitCode.ShouldBe(0, export.ToString());
        export.Stdout.ShouldContain("qcow2 written to");
        var check = await HostTool.RunAsync("qemu-img", "check", disk);
        check.ExitCode.ShouldBe(0, check.Output);
        check.Output.ShouldContain("No errors were found");
    }

    private static string Blob(string layout, string digest) => Path.Combine(layout, "blobs", "sha256", digest["sha256:".Length..]);
}
