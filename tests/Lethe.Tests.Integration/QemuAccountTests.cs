using System.Diagnostics;

namespace Lethe.Tests.Integration;

/// <summary>
/// QEMU as the host sees it while a machine runs (the tests run as root): an account of its own, no
/// groups, an empty environment, no core dumps, confined.
/// </summary>
[Collection(MachineCollection.Name)]
public sealed class QemuAccountTests(TestImage image)
{
    private const long DynamicFirst = 0x7010_0000, DynamicLast = 0x7010_FFFF;

    [Fact(Timeout = 300_000)]
    public async Task A_root_run_qemu_has_a_dynamic_id_no_other_process_has_no_groups_no_environment_and_no_core_dumps()
    {
        Assert.SkipUnless(Environment.IsPrivilegedProcess, "this checks what a root-run lethe gives QEMU");
        using var lethe = LetheProcess.Start(["run", "--spec", image.FastSpec, "--", "sh", "-c", "echo started; sleep 600"], cancellationToken: TestContext.Current.CancellationToken);
        try
        {
            lethe.StandardInput.Close();
            (await lethe.StandardOutput.ReadLineAsync(TestContext.Current.CancellationToken)).ShouldBe("started");
            var qemu = Directory.EnumerateDirectories("/proc").Select(Path.GetFileName).Where(n => n!.All(char.IsAsciiDigit)).Select(int.Parse!)
                .Where(pid => Read($"/proc/{pid}/stat") is { Length: > 0 } stat && stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[1] == lethe.Id.ToString()
                              && Read($"/proc/{pid}/cmdline").Contains("qemu-system", StringComparison.Ordinal))
                .ShouldHaveSingleItem("lethe's QEMU");
            var status = Read($"/proc/{qemu}/status");
            var uids = Field(status, "Uid").Select(long.Parse).ToList();
            var gids = Field(status, "Gid").Select(long.Parse).ToList();
            uids.Distinct().ShouldHaveSingleItem(status);
            var id = uids[0];
            id.ShouldBeInRange(DynamicFirst, DynamicLast, "not nobody: an id of lethe's range");
            gids.Distinct().ShouldBe([id], "its gid is its own, never 0");
            Field(status, "Groups").ShouldBeEmpty("TCG: not even kvm");
            Field(status, "NoNewPrivs").ShouldBe(["1"]);
            Field(status, "CapEff").ShouldBe(["0000000000000000"]);
            Field(status, "Seccomp").ShouldBe(["2"]);
            Read($"/proc/{qemu}/environ").ShouldBeEmpty();
            Read($"/proc/{qemu}/limits").Split('\n').Single(l => l.StartsWith("Max core file size", StringComparison.Ordinal))
                .Split(' ', StringSplitOptions.RemoveEmptyEntries)[4..6].ShouldBe(["0", "0"]);
            Read($"/proc/{qemu}/cmdline").Split('\0').ShouldContain(a => a.Contains("dump-guest-core=off"));

            var sharing = Directory.EnumerateDirectories("/proc").Select(Path.GetFileName).Where(n => n!.All(char.IsAsciiDigit) && n != qemu.ToString())
                .Where(pid => Read($"/proc/{pid}/status") is { Length: > 0 } s && (Field(s, "Uid").Contains(id.ToString()) || Field(s, "Gid").Contains(id.ToString()) || Field(s, "Groups").Contains(id.ToString())))
                .ToList();
            sharing.ShouldBeEmpty("no other process shares QEMU's account");
            File.ReadAllText("/etc/passwd").ShouldNotContain($":{id}:");
            File.ReadAllText("/etc/group").ShouldNotContain($":{id}:");
        }
        finally
        {
            lethe.Kill(entireProcessTree: true);
            await lethe.WaitForExitAsync(TestContext.Current.CancellationToken);
        }
    }

    private static string[] Field(string status, string name) =>
        status.Split('\n').Where(l => l.StartsWith(name + ":", StringComparison.Ordinal))
            .SelectMany(l => l[(name.Length + 1)..].Split(['\t', ' '], StringSplitOptions.RemoveEmptyEntries)).ToArray();

    private static string Read(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return "";
        }
    }
}
