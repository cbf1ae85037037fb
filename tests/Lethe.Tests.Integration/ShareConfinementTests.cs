namespace Lethe.Tests.Integration;

/// <summary>
/// The workspace share never creates setuid or setgid files, or device nodes, on the host, whatever
/// guest root does (README "Security decisions": share confinement).
/// </summary>
[Collection(MachineCollection.Name)]
public sealed class ShareConfinementTests(TestImage image)
{
    private const int Uid = 1000;

    // Every way guest root might try: chmod of an existing file, install -m, mkdir -m, open(O_CREAT) with
    // the bits, mknod of devices. Each may fail; the host folder is what the test judges.
    private const string Attack = """
        cd /work
        touch suid sgid
        chmod u+s suid; chmod g+s sgid
        install -m 4755 /bin/true installed-suid
        mkdir -m 2775 sgid-dir
        mkdir plain-dir; chmod g+s plain-dir
        perl -MFcntl -e 'sysopen(my $f, "opened-suid", O_CREAT|O_WRONLY, 04755) or die "open: $!\n"'
        mknod char-dev c 1 3
        mknod block-dev b 7 0
        touch plain; chmod 0640 plain
        ls -la /work
        """;

    [Fact(Timeout = 600_000)]
    public async Task Guest_root_cannot_make_setuid_setgid_or_device_files_in_the_workspace_but_ordinary_modes_work()
    {
        var folder = Directory.CreateTempSubdirectory("lethe-share-").FullName;
        File.SetUnixFileMode(folder, (UnixFileMode)0b111_101_101);
        await ChownAsync(folder);
        try
        {
            var result = await LetheProcess.RunAsync(["run", "--spec", image.FastSpec, "--", "sudo", "sh", "-c", Attack],
                workingDirectory: folder);
            var offenders = Directory.EnumerateFileSystemEntries(folder)
                .Select(path => (path, mode: File.GetUnixFileMode(path), type: FileTypeOf(path)))
                .Where(e => (e.mode & (UnixFileMode.SetUser | UnixFileMode.SetGroup)) != 0 || e.type is 'c' or 'b')
                .Select(e => $"{Path.GetFileName(e.path)} {e.type} {Convert.ToString((int)e.mode, 8)}")
                .ToList();
            offenders.ShouldBeEmpty(result.ToString());
            // Ordinary modes still reach the host: the confinement refuses only the dangerous bits.
            Convert.ToString((int)File.GetUnixFileMode(Path.Combine(folder, "plain")), 8).ShouldBe("640", result.ToString());
            Directory.Exists(Path.Combine(folder, "plain-dir")).ShouldBeTrue(result.ToString());
        }
        finally
        {
            Directory.Delete(folder, true);
        }
    }

    private static async Task ChownAsync(string folder)
    {
        using var chown = System.Diagnostics.Process.Start("chown", ["-R", $"{Uid}:{Uid}", folder])!;
        await chown.WaitForExitAsync(TestContext.Current.CancellationToken);
    }

    private static char FileTypeOf(string path)
    {
        using var stat = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("stat", ["-c", "%F", path]) { RedirectStandardOutput = true })!;
        var type = stat.StandardOutput.ReadToEnd().Trim();
        stat.WaitForExit();
        return type switch
        {
            "character special file" => 'c',
            "block special file" => 'b',
            "directory" => 'd',
            _ => 'f',
        };
    }
}
