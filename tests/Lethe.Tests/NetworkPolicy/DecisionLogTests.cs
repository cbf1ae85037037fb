using Lethe.Machine.Network.Log;
using Lethe.Tests.Spec;

namespace Lethe.Tests.NetworkPolicy;

/// <summary>The decision log file: private, created exclusively, capped, and read back (across its two generations).</summary>
public sealed class DecisionLogTests : IDisposable
{
    private readonly TempFolder folder = new();

    public void Dispose() => folder.Dispose();

    private string LogPath => Path.Combine(folder.Path, DecisionLogFile.FileName);

    private static DecisionRecord Record(int i, string reason = "r") => new()
    {
        Time = FixedClock.Now.AddSeconds(i),
        Protocol = "tcp",
        Verdict = "deny",
        Reason = $"{reason} {i}",
        Names = ["github.com"],
        Address = "140.82.112.3",
        Port = 443,
    };

    [Fact]
    public void Each_decision_is_one_json_line_in_a_private_file()
    {
        using (var log = DecisionLogFile.Open(LogPath))
        {
            log.Write(Record(1));
            log.Write(Record(2) with { Verdict = "close", BytesFromGuest = 10, BytesToGuest = 20 });
        }

        File.GetUnixFileMode(LogPath).ShouldBe(UnixFileMode.UserRead | UnixFileMode.UserWrite);
        var lines = File.ReadAllLines(LogPath);
        lines.Length.ShouldBe(2);
        lines[0].ShouldBe("""{"time":"2026-11-27T12:00:01+00:00","protocol":"tcp","verdict":"deny","reason":"r 1","names":["github.com"],"address":"140.82.112.3","port":443}""");
        DecisionJson.TryParse(lines[1]).ShouldBe(Record(2) with { Verdict = "close", BytesFromGuest = 10, BytesToGuest = 20 }, new RecordComparer());
    }

    [Fact]
    public void A_link_planted_at_the_log_path_is_moved_aside_never_written_through()
    {
        var victim = Path.Combine(folder.Path, "victim");
        File.WriteAllText(victim, "precious\n");
        File.CreateSymbolicLink(LogPath, victim);

        using (var log = DecisionLogFile.Open(LogPath))
            log.Write(Record(1));

        File.ReadAllText(victim).ShouldBe("precious\n");
        new FileInfo(LogPath).LinkTarget.ShouldBeNull();
        File.ReadAllLines(LogPath).Length.ShouldBe(1);
    }

    [Fact]
    public void A_dangling_link_planted_at_the_log_path_creates_nothing_where_it_points()
    {
        var target = Path.Combine(folder.Path, "created-through-link");
        File.CreateSymbolicLink(LogPath, target);

        using (var log = DecisionLogFile.Open(LogPath))
            log.Write(Record(1));

        File.Exists(target).ShouldBeFalse();
        new FileInfo(LogPath).LinkTarget.ShouldBeNull();
    }

    [Fact(Timeout = 20_000)]
    public async Task The_log_is_capped_at_two_generations_and_read_back_in_order()
    {
        using (var log = DecisionLogFile.Open(LogPath, capBytes: 2000))
            for (var i = 0; i < 100; i++)
                log.Write(Record(i));

        new FileInfo(LogPath).Length.ShouldBeLessThanOrEqualTo(2000);
        new FileInfo(DecisionLogFile.OlderGeneration(LogPath)).Length.ShouldBeLessThanOrEqualTo(2000);
        var read = await ReadAllAsync(follow: false);
        read.Count.ShouldBeLessThan(100);
        read.Select(r => r.Reason).ShouldBe(Enumerable.Range(100 - read.Count, read.Count).Select(i => $"r {i}"));
    }

    [Fact(Timeout = 20_000)]
    public async Task A_restarted_machine_keeps_the_previous_log_as_the_older_generation_and_garbage_is_skipped()
    {
        using (var first = DecisionLogFile.Open(LogPath))
            first.Write(Record(1, "first"));
        File.AppendAllText(LogPath, "not json\n{\"truncated\":");
        using (var second = DecisionLogFile.Open(LogPath))
            second.Write(Record(2, "second"));

        (await ReadAllAsync(follow: false)).Select(r => r.Reason).ShouldBe(["first 1", "second 2"]);
    }

    [Fact(Timeout = 20_000)]
    public async Task Following_prints_new_decisions_until_the_machine_stops()
    {
        var stop = TestContext.Current.CancellationToken;
        using var log = DecisionLogFile.Open(LogPath, capBytes: 600);
        log.Write(Record(0));
        var running = true;
        var seen = new List<string>();
        var reader = Task.Run(async () =>
        {
            await foreach (var record in DecisionLogReader.ReadAsync(LogPath, follow: true, () => Volatile.Read(ref running), stop))
                lock (seen)
                    seen.Add(record.Reason);
        }, stop);
        for (var i = 1; i < 8; i++)
        {
            log.Write(Record(i));
            await Task.Delay(300, stop);
        }
        Volatile.Write(ref running, false);
        await reader.WaitAsync(TimeSpan.FromSeconds(10), stop);

        seen.ShouldBe(Enumerable.Range(0, 8).Select(i => $"r {i}"));
    }

    [Fact(Timeout = 20_000)]
    public async Task The_background_sink_writes_everything_queued_before_it_is_disposed()
    {
        var inner = new ListSink();
        await using (var sink = new BackgroundDecisionSink(inner))
            for (var i = 0; i < 500; i++)
                sink.Write(Record(i));

        inner.Records.Select(r => r.Reason).ShouldBe(Enumerable.Range(0, 500).Select(i => $"r {i}"));
    }

    [Fact]
    public void The_table_row_shows_every_field_and_no_escape_sequence_of_the_guest()
    {
        var row = DecisionText.Row(Record(3) with { Names = ["evil\u001b]0;owned\u0007.example"], Verdict = "close", BytesFromGuest = 5, BytesToGuest = 7 });
        row.ShouldNotContain("\u001b");
        row.ShouldNotContain("\u0007");
        row.ShouldStartWith("12:00:03.000");
        row.ShouldContain("140.82.112.3:443");
        row.ShouldContain("5↑ 7↓");
        row.ShouldEndWith("r 3");
    }

    private async Task<List<DecisionRecord>> ReadAllAsync(bool follow)
    {
        var records = new List<DecisionRecord>();
        await foreach (var record in DecisionLogReader.ReadAsync(LogPath, follow, () => false, TestContext.Current.CancellationToken))
            records.Add(record);
        return records;
    }

    private sealed class RecordComparer : IEqualityComparer<DecisionRecord>
    {
        public bool Equals(DecisionRecord? x, DecisionRecord? y) =>
            x is not null && y is not null && DecisionJson.Line(x) == DecisionJson.Line(y);

        public int GetHashCode(DecisionRecord obj) => DecisionJson.Line(obj).GetHashCode();
    }
}
