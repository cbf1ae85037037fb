using System.Diagnostics;
using System.Text;
using System.Text.Json;

namespace Lethe.Tests.Integration;

/// <summary>The encrypted scratch disk: ciphertext on the host, gone at stop, fail-open, and the overlay mode.</summary>
[Collection(MachineCollection.Name)]
public sealed class ScratchTests(TestImage image)
{
    private const int Timeout = 600_000;
    private static string ScratchFolder => Path.Combine(LetheProcess.LetheHome, "cache", "scratch");

    [Fact(Timeout = Timeout)]
    public async Task Data_on_scratch_is_readable_in_the_guest_absent_as_plaintext_from_the_host_file_and_the_file_goes_at_stop()
    {
        const string name = "it-scratch";
        var marker = "lethe-it-plaintext-" + Guid.NewGuid().ToString("N");
        try
        {
            await LetheProcess.UpAsync(name, ["--spec", image.WorkstationSpec, "--scratch", "256M"]);
            var write = await LetheProcess.RunAsync(["exec", name, "--", "sh", "-c", $"yes {marker} | head -c 8388608 > /scratch/m && sync && head -c {marker.Length} /scratch/m && findmnt -n -o FSTYPE /scratch"]);
            write.ExitCode.ShouldBe(0, write.ToString());
            write.Stdout.ShouldBe($"{marker}ext4\n", write.ToString());

            using var ps = JsonDocument.Parse((await LetheProcess.RunAsync(["ps", "--json"])).Stdout);
            var hostFile = ps.RootElement.EnumerateArray().Single(m => m.GetProperty("name").GetString() == name).GetProperty("scratch").GetString()!;
            File.Exists(hostFile).ShouldBeTrue(hostFile);
            Contains(hostFile, Encoding.ASCII.GetBytes(marker)).ShouldBeFalse("the marker reached the host file in plaintext");

            (await LetheProcess.RunAsync(["down", name])).ExitCode.ShouldBe(0);
            File.Exists(hostFile).ShouldBeFalse("the scratch file outlived the machine");
        }
        finally
        {
            await LetheProcess.RunAsync(["down", name]);
        }
    }

    [Fact(Timeout = Timeout)]
    public async Task A_scratch_folder_on_tmpfs_is_refused_with_exit_3_before_anything_is_built()
    {
        var home = Path.Combine("/dev/shm", "lethe-it-" + Guid.NewGuid().ToString("N")[..8]);
        try
        {
            var result = await LetheProcess.RunAsync(["run", "--scratch", "1G", "--", "true"], environment: new Dictionary<string, string> { ["LETHE_HOME"] = home });
            result.ExitCode.ShouldBe(3, result.ToString());
            result.Stderr.ShouldContain("tmpfs");
            result.Stderr.ShouldNotContain("building the image");
        }
        finally
        {
            if (Directory.Exists(home))
                Directory.Delete(home, true);
        }
    }

    [Theory(Timeout = Timeout)]
    [InlineData("missing")]
    [InlineData("readonly")]
    public async Task A_missing_or_broken_disk_fails_open_to_a_tmpfs_scratch_with_a_warning(string fault)
    {
        var result = await LetheProcess.RunAsync(["run", "--spec", image.FastSpec, "--scratch", "256M", "--", "sh", "-c", "findmnt -n -o FSTYPE /scratch; touch /scratch/ok && echo writable"],
            environment: new Dictionary<string, string> { ["LETHE_FAULT_SCRATCH"] = fault });
        result.ExitCode.ShouldBe(0, result.ToString());
        result.Stdout.ShouldBe("tmpfs\nwritable\n", result.ToString());
        result.Stderr.ShouldContain("lethe: warning: scratch disk unavailable, /scratch is tmpfs");
    }

    [Fact(Timeout = Timeout)]
    public async Task After_kill_9_the_next_command_removes_the_dead_runs_scratch_file()
    {
        using var lethe = LetheProcess.Start(["run", "--spec", image.FastSpec, "--scratch", "256M", "--", "sh", "-c", "echo started; sleep 600"], cancellationToken: TestContext.Current.CancellationToken);
        lethe.StandardInput.Close();
        (await lethe.StandardOutput.ReadLineAsync(TestContext.Current.CancellationToken)).ShouldBe("started");
        var mine = Directory.GetFiles(ScratchFolder).Where(f => f.Contains($"-{lethe.Id}-", StringComparison.Ordinal)).ToList();
        mine.Count.ShouldBe(1);
        lethe.Kill();
        await lethe.WaitForExitAsync(TestContext.Current.CancellationToken);
        File.Exists(mine[0]).ShouldBeTrue("nothing ran to delete it yet");

        (await LetheProcess.RunAsync(["run", "--spec", image.FastSpec, "--", "true"])).ExitCode.ShouldBe(0);
        File.Exists(mine[0]).ShouldBeFalse("the next start should have removed the dead run's scratch file");
    }

    [Fact(Timeout = Timeout)]
    public async Task With_overlay_the_roots_writes_go_to_the_encrypted_disk_not_ram()
    {
        var spec = Path.Combine(image.Folder, "scratch-overlay.yaml");
        await File.WriteAllTextAsync(spec, (await File.ReadAllTextAsync(image.FastSpec, TestContext.Current.CancellationToken))
            .Replace("name: it-fast", "name: it-scratch-overlay") + "\nscratch: {size: 1G, overlay: true}\n", TestContext.Current.CancellationToken);
        File.Copy(Path.ChangeExtension(image.FastSpec, ".lock"), Path.ChangeExtension(spec, ".lock"), overwrite: true);
        // 768 MiB of memory caps the RAM root at 384 MiB: 450 MiB only fits on the disk.
        var result = await LetheProcess.RunAsync(["run", "--spec", spec, "--", "sh", "-c",
            "dd if=/dev/zero of=/var/tmp/big bs=1M count=450 status=none && echo written; sudo findmnt -n -o FSTYPE /run/lethe/upper/root; findmnt -n -o FSTYPE /home"]);
        result.ExitCode.ShouldBe(0, result.ToString());
        result.Stdout.ShouldBe("written\next4\noverlay\n", result.ToString());
    }

    private static bool Contains(string file, byte[] needle)
    {
        using var stream = File.OpenRead(file);
        var buffer = new byte[4 << 20];
        var carry = 0;
        int read;
        while ((read = stream.Read(buffer, carry, buffer.Length - carry)) > 0)
        {
            var length = carry + read;
            if (buffer.AsSpan(0, length).IndexOf(needle) >= 0)
                return true;
            carry = Math.Min(needle.Length - 1, length);
            Array.Copy(buffer, length - carry, buffer, 0, carry);
        }
        return false;
    }
}
