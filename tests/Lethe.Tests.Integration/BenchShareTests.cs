using System.Text.Json;

namespace Lethe.Tests.Integration;

/// <summary>A cheap run of lethe bench share (one boot, a small tree and file); figures are never judged, only their presence.</summary>
[Collection(MachineCollection.Name)]
public sealed class BenchShareTests(TestImage image)
{
    [Fact(Timeout = 900_000)]
    public async Task Bench_share_measures_workspace_and_tmpfs_in_one_boot_and_leaves_nothing_behind()
    {
        var folder = Directory.CreateTempSubdirectory("lethe-bench-share-").FullName;
        if (Environment.IsPrivilegedProcess)
        {
            using var chown = System.Diagnostics.Process.Start("chown", ["1000:1000", folder])!;
            await chown.WaitForExitAsync(TestContext.Current.CancellationToken);
        }
        try
        {
            var result = await LetheProcess.RunAsync(["bench", "share", "--spec", image.FastSpec, "--runs", "1", "--files", "200", "--size", "16", "--json"],
                workingDirectory: folder, timeout: TimeSpan.FromMinutes(14));
            result.ExitCode.ShouldBe(0, result.ToString());
            using var json = JsonDocument.Parse(result.Stdout);
            var root = json.RootElement;
            foreach (var place in new[] { "workspace", "tmpfs" })
                foreach (var figure in new[] { "unpackMs", "statusColdMs", "statusWarmMs", "writeMs", "readMs" })
                    root.GetProperty(place).GetProperty(figure).GetDouble().ShouldBeGreaterThan(0, $"{place}.{figure}: {result}");
            root.GetProperty("workspaceOverTmpfs").GetProperty("statusWarm").GetDouble().ShouldBeGreaterThan(0, result.ToString());
            // The workspace as the guest mounted it (the same plan lethe run uses).
            var mount = root.GetProperty("workspaceMount").GetString()!;
            mount.ShouldStartWith("9p ", Case.Sensitive, result.ToString());
            mount.ShouldContain("nosuid", Case.Sensitive, result.ToString());
            mount.ShouldContain("nodev", Case.Sensitive, result.ToString());
            // The cache mode lethe chose (WorkspacePlan.NineP), as the guest kernel reports it.
            mount.Split(' ', ',').ShouldContain("mmap", result.ToString());
            Directory.EnumerateFileSystemEntries(folder).ShouldBeEmpty("the bench's shared folder must be removed");
        }
        finally
        {
            Directory.Delete(folder, true);
        }
    }
}
