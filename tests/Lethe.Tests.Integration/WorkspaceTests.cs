namespace Lethe.Tests.Integration;

/// <summary>The shared folder: rw lands on the host owned by its user, overlay never reaches the host.</summary>
[Collection(MachineCollection.Name)]
public sealed class WorkspaceTests(TestImage image)
{
    /// <summary>As root, the folder is given to uid 1000; an ordinary user (who cannot chown) shares its own.</summary>
    private static readonly string Uid = Environment.IsPrivilegedProcess ? "1000" : Owner("/proc/self");

    private static string OwnedFolder()
    {
        var folder = Directory.CreateTempSubdirectory("lethe-ws-").FullName;
        File.WriteAllText(Path.Combine(folder, "from-host.txt"), "host\n");
        if (Environment.IsPrivilegedProcess)
            System.Diagnostics.Process.Start("chown", ["-R", $"{Uid}:{Uid}", folder])!.WaitForExit();
        return folder;
    }

    [Fact(Timeout = 300_000)]
    public async Task Run_shares_the_current_folder_rw_at_work_and_files_the_guest_makes_belong_to_the_host_user_not_root()
    {
        var folder = OwnedFolder();
        try
        {
            var result = await LetheProcess.RunAsync(["run", "--spec", image.FastSpec, "--", "sh", "-c", "pwd; cat from-host.txt; echo guest > made.txt; sudo sh -c 'echo root > by-root.txt'"], workingDirectory: folder);
            result.ExitCode.ShouldBe(0, result.ToString());
            result.Stdout.ShouldBe("/work\nhost\n", result.ToString());
            File.ReadAllText(Path.Combine(folder, "made.txt")).ShouldBe("guest\n");
            foreach (var file in new[] { "made.txt", "by-root.txt" })
                Owner(Path.Combine(folder, file)).ShouldBe($"{Uid}", $"{file} must belong to the host user, never to root");
        }
        finally
        {
            Directory.Delete(folder, true);
        }
    }

    [Fact(Timeout = 300_000)]
    public async Task An_overlay_workspace_shows_the_host_tree_but_guest_writes_never_reach_the_host()
    {
        var folder = OwnedFolder();
        var spec = Path.Combine(folder, "overlay.yaml");
        File.WriteAllText(spec, File.ReadAllText(image.FastSpec).Replace("name: it-fast", "name: it-overlay") + "\nworkspace: {path: ., mode: overlay, at: /work}\n");
        File.Copy(Path.ChangeExtension(image.FastSpec, ".lock"), Path.ChangeExtension(spec, ".lock"));
        try
        {
            var result = await LetheProcess.RunAsync(["run", "--spec", spec, "--", "sh", "-c",
                "cat from-host.txt; echo changed > from-host.txt; echo new > new.txt; sudo rm overlay.yaml; cat from-host.txt new.txt"], workingDirectory: folder);
            result.ExitCode.ShouldBe(0, result.ToString());
            result.Stdout.ShouldBe("host\nchanged\nnew\n", result.ToString());
            File.ReadAllText(Path.Combine(folder, "from-host.txt")).ShouldBe("host\n");
            File.Exists(Path.Combine(folder, "new.txt")).ShouldBeFalse();
            File.Exists(spec).ShouldBeTrue();
        }
        finally
        {
            Directory.Delete(folder, true);
        }
    }

    private static string Owner(string path)
    {
        var stat = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("stat", ["-c", "%u", path]) { RedirectStandardOutput = true })!;
        var owner = stat.StandardOutput.ReadToEnd().Trim();
        stat.WaitForExit();
        return owner;
    }
}
