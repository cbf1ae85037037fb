using System.Text.RegularExpressions;

namespace Lethe.Tests.Integration;

/// <summary>The host side as a user meets it: a spec confined to its folder, lethe rm, and a persist disk that grows.</summary>
[Collection(MachineCollection.Name)]
public sealed partial class HostSideTests(TestImage image) : IDisposable
{
    private const int Timeout = 900_000;
    private readonly string _folder = Directory.CreateTempSubdirectory("lethe-it-host-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    /// <summary>The test image's own spec (so the cached image is reused) plus <paramref name="extra"/>, written at <paramref name="relativePath"/>.</summary>
    private async Task<string> SpecLike(string source, string relativePath, string extra)
    {
        var spec = Path.Combine(_folder, relativePath);
        Directory.CreateDirectory(Path.GetDirectoryName(spec)!);
        await File.WriteAllTextAsync(spec, (await File.ReadAllTextAsync(source, TestContext.Current.CancellationToken)).TrimEnd('\n') + "\n" + extra, TestContext.Current.CancellationToken);
        File.Copy(Path.ChangeExtension(source, ".lock"), Path.ChangeExtension(spec, ".lock"), overwrite: true);
        return spec;
    }

    [Fact(Timeout = Timeout)]
    public async Task A_spec_that_points_outside_its_folder_exits_2_at_its_line_and_only_the_flag_lets_it()
    {
        var outside = Path.Combine(_folder, "outside");
        Directory.CreateDirectory(outside);
        // QEMU runs unprivileged (as the folder's owner, or nobody when that is root) and must reach the share.
        File.SetUnixFileMode(_folder, (UnixFileMode)0b111_101_101);
        await File.WriteAllTextAsync(Path.Combine(outside, "marker"), "from outside\n", TestContext.Current.CancellationToken);
        var spec = await SpecLike(image.FastSpec, "repo/lethe.yaml", "workspace:\n  path: ../outside\n");
        var line = File.ReadAllLines(spec).ToList().FindIndex(l => l.Contains("../outside", StringComparison.Ordinal)) + 1;

        var refused = await LetheProcess.RunAsync(["run", "--", "cat", "/work/marker"], workingDirectory: Path.GetDirectoryName(spec));

        refused.ExitCode.ShouldBe(2, refused.ToString());
        refused.Stderr.ShouldContain($"{spec}:{line}:9: workspace.path: '../outside' leads outside the spec's folder {Path.GetDirectoryName(spec)} (to {outside})");
        (await LetheProcess.RunAsync(["up", "it-host-outside", "--spec", spec])).ExitCode.ShouldBe(2);

        var allowed = await LetheProcess.RunAsync(["run", "--allow-outside-spec-folder", "--", "cat", "/work/marker"], workingDirectory: Path.GetDirectoryName(spec));

        allowed.ExitCode.ShouldBe(0, allowed.ToString());
        allowed.Stdout.ShouldBe("from outside\n");
    }

    [Fact(Timeout = Timeout)]
    public async Task A_larger_persist_size_grows_the_disk_at_the_next_up_and_rm_removes_the_stopped_machine()
    {
        const string name = "it-host-grow";
        var spec = await SpecLike(image.WorkstationSpec, "ws/lethe.yaml", "");
        await File.WriteAllTextAsync(spec, (await File.ReadAllTextAsync(spec, TestContext.Current.CancellationToken)).Replace("size: 256M", "size: 1G"), TestContext.Current.CancellationToken);
        var disk = Path.Combine(LetheProcess.LetheHome, "state", "machines", name, "persist.ext4");
        try
        {
            await LetheProcess.UpAsync(name, ["--spec", spec]);
            (await PersistMiB(name)).ShouldBeInRange(900, 1024);
            var busy = await LetheProcess.RunAsync(["rm", name, "--yes"]);
            busy.ExitCode.ShouldBe(1, busy.ToString());
            busy.Stderr.Trim().ShouldBe($"lethe: machine {name} is running; stop it first with: lethe down {name}");
            (await LetheProcess.RunAsync(["down", name])).ExitCode.ShouldBe(0);

            await File.WriteAllTextAsync(spec, (await File.ReadAllTextAsync(spec, TestContext.Current.CancellationToken)).Replace("size: 1G", "size: 2G"), TestContext.Current.CancellationToken);
            await LetheProcess.UpAsync(name, ["--spec", spec]);
            (await PersistMiB(name)).ShouldBeInRange(1900, 2048);
            new FileInfo(disk).Length.ShouldBe(2L << 30);
            (await LetheProcess.RunAsync(["down", name])).ExitCode.ShouldBe(0);

            var listed = await LetheProcess.RunAsync(["rm", name]);
            listed.ExitCode.ShouldBe(0, listed.ToString());
            listed.Stdout.ShouldContain($"{disk}\t2 GiB");
            File.Exists(disk).ShouldBeTrue();

            var removed = await LetheProcess.RunAsync(["rm", name, "--yes"]);
            removed.ExitCode.ShouldBe(0, removed.ToString());
            File.Exists(disk).ShouldBeFalse();
            (await LetheProcess.RunAsync(["ps"])).Stdout.ShouldNotContain(name);
        }
        finally
        {
            await LetheProcess.RunAsync(["down", name]);
            await LetheProcess.RunAsync(["rm", name, "--yes"]);
        }
    }

    /// <summary>The size of /persist as the guest's df sees it, in MiB.</summary>
    private static async Task<int> PersistMiB(string name)
    {
        var df = await LetheProcess.RunAsync(["exec", name, "--", "df", "-BM", "--output=size", "/persist"]);
        df.ExitCode.ShouldBe(0, df.ToString());
        // The header is "1M-blocks"; the size is on the last line, like " 2015M".
        return int.Parse(Megabytes().Match(df.Stdout.Trim().Split('\n')[^1]).Groups[1].Value);
    }

    [GeneratedRegex(@"^\s*(\d+)M$")]
    private static partial Regex Megabytes();
}
