using Lethe.Machine.Bench;
using Lethe.Protocol;

namespace Lethe.Tests.Bench;

public sealed class BootReportTests
{
    [Fact]
    public void The_start_time_is_field_22_of_proc_stat_even_when_the_name_has_spaces_and_parentheses()
    {
        const string stat = "4242 (a) b (c)) S 1 4242 4242 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 987654 1000 200";
        ProcFiles.StartTicks(stat).ShouldBe(987654);
        ProcFiles.StartTicks("garbage").ShouldBeNull();
        ProcFiles.TicksToMs(987654).ShouldBe(9_876_540);
    }

    [Fact]
    public void Peak_rss_comes_from_the_status_files_vmhwm_line()
    {
        const string status = "Name:\tqemu-system-x86\nVmPeak:\t 1234 kB\nVmHWM:\t  311520 kB\nVmRSS:\t 300000 kB\n";
        ProcFiles.StatusKiB(status, "VmHWM").ShouldBe(311520);
        ProcFiles.StatusKiB(status, "VmSwap").ShouldBeNull();
    }

    [Fact]
    public void Memory_in_use_is_total_minus_available()
    {
        GuestMemory.InUseKiB("MemTotal:         499000 kB\nMemFree:  400000 kB\nMemAvailable:     439000 kB\n").ShouldBe(60000);
        GuestMemory.InUseKiB("MemTotal: 499000 kB\n").ShouldBeNull();
    }

    [Fact]
    public void The_report_round_trips_and_carries_no_argv_environment_or_path()
    {
        var report = new BootReport { ProcessStartMonotonicMs = 1, MainEnteredMs = 2, GuestTimeline = [new BootPhase("kernel", 3)], GuestMemoryInUseKiB = 4 };
        var json = report.ToJson();
        BootReport.Parse(json).ShouldNotBeNull().GuestMemoryInUseKiB.ShouldBe(4);
        var names = typeof(BootReport).GetProperties().Select(p => p.Name.ToLowerInvariant()).ToList();
        names.ShouldNotContain(n => n.Contains("arg") || n.Contains("env") || n.Contains("path") || n.Contains("command") && !n.EndsWith("ms"));
    }

    [Fact]
    public void The_report_is_created_owner_only_and_never_through_a_planted_link()
    {
        var folder = Directory.CreateTempSubdirectory("lethe-report-").FullName;
        try
        {
            var path = Path.Combine(folder, "report.json");
            new BootTimings(path, System.Diagnostics.Stopwatch.GetTimestamp()).QemuExited(TextWriter.Null);
            File.GetUnixFileMode(path).ShouldBe(UnixFileMode.UserRead | UnixFileMode.UserWrite);
            BootReport.Parse(File.ReadAllText(path)).ShouldNotBeNull().QemuExitMs.ShouldNotBeNull();

            var victim = Path.Combine(folder, "victim");
            File.WriteAllText(victim, "untouched");
            var planted = Path.Combine(folder, "planted.json");
            File.CreateSymbolicLink(planted, victim);
            var said = new StringWriter();
            new BootTimings(planted, System.Diagnostics.Stopwatch.GetTimestamp()).QemuExited(said);
            File.ReadAllText(victim).ShouldBe("untouched");
            said.ToString().ShouldContain("was not written");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
