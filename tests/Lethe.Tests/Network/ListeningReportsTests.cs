using System.Text;
using Lethe.Machine.Qemu;
using Lethe.Machine.Run;
using Lethe.Machine.Workstation;
using Lethe.Protocol;

namespace Lethe.Tests.Network;

/// <summary>The host's end of forward: auto: the guest's listening reports, from lethe run's relay and lethe up's router.</summary>
public sealed class ListeningReportsTests
{
    [Fact]
    public void Each_new_set_is_passed_on_once_and_a_repeat_is_not()
    {
        var seen = new List<string>();
        var reports = new ListeningReports(p => seen.Add(string.Join(',', p)), minInterval: TimeSpan.Zero);
        reports.Report(ControlMessage.Listening([8080, 22]));
        reports.Report(ControlMessage.Listening([22, 8080]));
        reports.Report(ControlMessage.Listening([22]));
        reports.Report(ControlMessage.Listening([]));
        seen.ShouldBe(["22,8080", "22", ""]);
        reports.Current.ShouldBeEmpty();
    }

    [Fact]
    public void A_hostile_report_is_ignored_and_the_last_good_set_stands()
    {
        var seen = new List<string>();
        var log = new StringWriter();
        var reports = new ListeningReports(p => seen.Add(string.Join(',', p)), log);
        reports.Report(ControlMessage.Listening([3000]));
        for (var i = 0; i < 50; i++)
            reports.Report(ControlMessage.Listening([3000, 70000 + i]));
        reports.Report(ControlMessage.Listening([.. Enumerable.Range(1, 10_000)]));
        reports.Report(new ControlMessage { Type = MessageTypes.Listening });
        seen.ShouldBe(["3000"]);
        reports.Current.ShouldBe([3000]);
        reports.Ignored.ShouldBe(52);
        log.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Length.ShouldBeLessThanOrEqualTo(5, "a flood is not logged line by line");
    }

    [Fact(Timeout = 10_000)]
    public async Task A_guest_flooding_changes_is_coalesced_and_the_newest_set_still_arrives()
    {
        var seen = new List<string>();
        var reports = new ListeningReports(p =>
        {
            lock (seen)
                seen.Add(string.Join(',', p));
        }, minInterval: TimeSpan.FromMilliseconds(200));
        for (var i = 0; i < 10_000; i++)
            reports.Report(ControlMessage.Listening([1000 + i % 2]));
        reports.Report(ControlMessage.Listening([4242]));
        await Task.Delay(TimeSpan.FromMilliseconds(800), TestContext.Current.CancellationToken);

        lock (seen)
        {
            seen.Count.ShouldBeLessThanOrEqualTo(4, string.Join(' ', seen));
            seen[0].ShouldBe("1000");
            seen[^1].ShouldBe("4242");
        }
        reports.Current.ShouldBe([4242]);
    }

    [Fact]
    public void A_failing_callback_is_logged_and_does_not_escape()
    {
        var log = new StringWriter();
        var reports = new ListeningReports(_ => throw new InvalidOperationException("boom"), log);
        Should.NotThrow(() => reports.Report(ControlMessage.Listening([80])));
        log.ToString().ShouldContain("boom");
    }

    [Fact]
    public void Only_a_boot_that_asks_for_reports_and_listens_to_them_gets_a_watcher()
    {
        ListeningReports.For(null).ShouldBeNull();
        ListeningReports.For(new BootNetwork { Backend = QemuNetwork.User, ListeningChanged = _ => { } }).ShouldBeNull();
        ListeningReports.For(new BootNetwork { Backend = QemuNetwork.User, ReportListening = true }).ShouldBeNull();
        ListeningReports.For(BootNetwork.QemuUser(reportListening: true, listeningChanged: _ => { })).ShouldNotBeNull();
    }

    [Fact(Timeout = 10_000)]
    public async Task Lethe_run_hears_the_reports_while_its_command_runs_undisturbed()
    {
        var seen = new List<string>();
        var guest = Guest(
            ControlMessage.Listening([8080]),
            ControlMessage.Output(MessageTypes.Stdout, "out"u8).ForSession(1),
            ControlMessage.Listening([99999]),
            ControlMessage.Listening([8080, 9000]).ForSession(1),
            ControlMessage.Exited(0).ForSession(1));
        var stdout = new MemoryStream();
        var streams = new RunStreams(Stream.Null, stdout, new MemoryStream(), new StringWriter());

        var code = await CommandRelay.RunAsync(new ControlChannel(guest, new MemoryStream()), 1, new ExecRequest { Argv = ["true"] }, streams,
            TestContext.Current.CancellationToken, listening: new ListeningReports(p => seen.Add(string.Join(',', p)), minInterval: TimeSpan.Zero));

        code.ShouldBe(0);
        Encoding.UTF8.GetString(stdout.ToArray()).ShouldBe("out");
        seen.ShouldBe(["8080", "8080,9000"]);
    }

    [Fact(Timeout = 10_000)]
    public async Task Lethe_up_hears_the_reports_and_no_client_ever_sees_one()
    {
        var seen = new List<string>();
        var router = new SessionRouter(new StringWriter()) { Listening = new ListeningReports(p => seen.Add(string.Join(',', p)), minInterval: TimeSpan.Zero) };
        var clientOut = new MemoryStream();
        var client = new ControlChannel(new MemoryStream(), clientOut);
        var session = router.Open(client);

        await router.RouteAsync(ControlMessage.Listening([5173]));
        await router.RouteAsync(ControlMessage.Listening([5173, 8000]).ForSession(session));
        await router.RouteAsync(ControlMessage.Output(MessageTypes.Stdout, "x"u8).ForSession(session));

        seen.ShouldBe(["5173", "5173,8000"]);
        var lines = Encoding.UTF8.GetString(clientOut.ToArray()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        lines.Select(l => ControlChannel.TryParse(l)!.Type).ShouldBe([MessageTypes.Stdout]);
        router.IsOpen(session).ShouldBeTrue();
    }

    [Fact(Timeout = 10_000)]
    public async Task Without_a_listener_hook_reports_are_dropped_quietly()
    {
        var log = new StringWriter();
        var router = new SessionRouter(log);
        await router.RouteAsync(ControlMessage.Listening([80]));
        log.ToString().ShouldBeEmpty();
    }

    private static MemoryStream Guest(params ControlMessage[] messages) =>
        new(Encoding.UTF8.GetBytes(string.Concat(messages.Select(m => ProtocolJson.Serialize(m) + "\n"))));
}
