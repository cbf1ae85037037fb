using System.Diagnostics;
using System.Formats.Tar;
using System.IO.Compression;
using System.Text;
using System.Text.Json;

namespace Lethe.Tests.Integration;

/// <summary>
/// lethe export of the shared test image (the workstation spec: an allowlist, sudo), read by the real tools:
/// skopeo and umoci for OCI, and the Incus/LXD image format's documented layout for lxc (LXD does not run
/// here). No VM boots. The tools are test-only; .ci/run installs them, and a missing one fails the test.
/// </summary>
[Collection(MachineCollection.Name)]
public sealed class ExportTests(TestImage image) : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("lethe-it-export-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    [Fact(Timeout = 900_000)]
    public async Task Two_oci_exports_are_byte_identical_and_skopeo_and_umoci_read_the_layout()
    {
        var layout = Path.Combine(folder, "oci");
        var export = await LetheProcess.RunAsync(["export", "--format", "oci", "--check", "--spec", image.WorkstationSpec, "-o", layout],
            timeout: TimeSpan.FromMinutes(14));
        export.ExitCode.ShouldBe(0, export.ToString());
        export.Stdout.ShouldContain("byte-identical");

        var inspect = await ToolAsync("skopeo", "inspect", $"oci:{layout}:latest");
        using var json = JsonDocument.Parse(inspect);
        var labels = json.RootElement.GetProperty("Labels");
        labels.GetProperty("org.lethe.user").GetString().ShouldBe("dev");
        JsonSerializer.Deserialize<string[]>(labels.GetProperty("org.lethe.persist").GetString()!)
            .ShouldBe(["/etc/keep", "/home/dev/.config/tool/settings", "/home/dev/private", "/home/dev/src"]);
        json.RootElement.GetProperty("Created").GetString().ShouldBe("2024-01-01T00:00:00Z");
        json.RootElement.GetProperty("Layers").GetArrayLength().ShouldBe(1);
        json.RootElement.GetProperty("Env").EnumerateArray().Select(e => e.GetString()).ShouldContain("LETHE_TEST=yes");

        var bundle = Path.Combine(folder, "bundle");
        await ToolAsync("umoci", [.. Environment.IsPrivilegedProcess ? Array.Empty<string>() : ["--rootless"], "unpack", "--image", $"{layout}:latest", bundle]);
        using var config = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(bundle, "config.json"), TestContext.Current.CancellationToken));
        config.RootElement.GetProperty("process").GetProperty("user").GetProperty("uid").GetInt32().ShouldBe(1000);
        var rootfs = Path.Combine(bundle, "rootfs");
        File.ReadAllText(Path.Combine(rootfs, "etc/os-release")).ShouldContain("bookworm");
        if (Environment.IsPrivilegedProcess)
        {
            // Owners and special bits as in the image: a tar made as the wrong user, or fsck.erofs's chown, would lose them.
            (await ToolAsync("stat", "-c", "%u %A", Path.Combine(rootfs, "home/dev"))).Trim().ShouldBe("1000 drwxr-xr-x");
            (await ToolAsync("stat", "-c", "%u %A", Path.Combine(rootfs, "usr/bin/sudo"))).Trim().ShouldBe("0 -rwsr-xr-x");
        }
    }

    [Fact(Timeout = 900_000)]
    public async Task An_lxc_export_is_a_unified_image_with_metadata_yaml_first_and_the_rootfs_with_its_owners()
    {
        var file = Path.Combine(folder, "ws.lxc.tar.gz");
        var export = await LetheProcess.RunAsync(["export", "--format", "lxc", "--check", "--spec", image.WorkstationSpec, "-o", file], timeout: TimeSpan.FromMinutes(14));
        export.ExitCode.ShouldBe(0, export.ToString());
        export.Stdout.ShouldContain("byte-identical");

        // The format's documentation: metadata.yaml (architecture and creation_date mandatory, properties) and rootfs/.
        await using var gzip = new GZipStream(File.OpenRead(file), CompressionMode.Decompress);
        using var tar = new TarReader(gzip);
        var first = (await tar.GetNextEntryAsync(copyData: true, TestContext.Current.CancellationToken)).ShouldNotBeNull();
        first.Name.ShouldBe("metadata.yaml");
        (first.Uid, first.Gid, (int)first.Mode).ShouldBe((0, 0, 0b110_100_100));
        var metadata = new StreamReader(first.DataStream!, Encoding.UTF8).ReadToEnd();
        metadata.ShouldStartWith("architecture: x86_64\ncreation_date: 1704067200\nproperties:\n");
        metadata.ShouldContain("  description: \"lethe machine it-ws: Debian bookworm, user dev\"\n");

        var seen = new Dictionary<string, TarEntry>();
        var outsideRootfs = new List<string>();
        while (await tar.GetNextEntryAsync(copyData: false, TestContext.Current.CancellationToken) is { } entry)
        {
            if (entry.Name != "rootfs/" && !entry.Name.StartsWith("rootfs/", StringComparison.Ordinal))
                outsideRootfs.Add(entry.Name);
            if (entry.Name is "rootfs/" or "rootfs/home/dev/" or "rootfs/usr/bin/sudo" or "rootfs/etc/os-release")
                seen[entry.Name] = entry;
        }
        outsideRootfs.ShouldBeEmpty();
        seen.Keys.Order().ShouldBe(["rootfs/", "rootfs/etc/os-release", "rootfs/home/dev/", "rootfs/usr/bin/sudo"]);
        seen["rootfs/home/dev/"].Uid.ShouldBe(1000);
        seen["rootfs/usr/bin/sudo"].Uid.ShouldBe(0);
        seen["rootfs/usr/bin/sudo"].Mode.HasFlag(UnixFileMode.SetUser).ShouldBeTrue();
        seen["rootfs/etc/os-release"].ModificationTime.ShouldBe(DateTimeOffset.FromUnixTimeSeconds(1704067200));
    }

    [Fact(Timeout = 120_000)]
    public async Task An_unknown_format_and_an_existing_output_are_usage_errors_in_one_line()
    {
        var unknown = await LetheProcess.RunAsync(["export", "--format", "qcow3", "--spec", image.WorkstationSpec]);
        unknown.ExitCode.ShouldBe(2, unknown.ToString());
        unknown.Stderr.Trim().Split('\n').ShouldHaveSingleItem().ShouldContain("unknown format 'qcow3'");

        var planted = Path.Combine(folder, "planted");
        File.CreateSymbolicLink(planted, "/etc/passwd");
        var existing = await LetheProcess.RunAsync(["export", "--format", "lxc", "--spec", image.WorkstationSpec, "-o", planted]);
        existing.ExitCode.ShouldBe(2, existing.ToString());
        existing.Stderr.ShouldContain($"{planted} exists");
    }

    internal static async Task<string> ToolAsync(string program, params string[] arguments)
    {
        var info = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
            info.ArgumentList.Add(argument);
        Process process;
        try
        {
            process = Process.Start(info)!;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            throw new InvalidOperationException($"{program} is missing: install it with apt-get install {program} (.ci/run does)");
        }
        using (process)
        {
            var stdout = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
            var stderr = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
            try
            {
                await process.WaitForExitAsync(TestContext.Current.CancellationToken);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                throw;
            }
            process.ExitCode.ShouldBe(0, $"{program} {string.Join(' ', arguments)}: {await stderr}");
            return await stdout;
        }
    }
}
