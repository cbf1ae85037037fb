using System.Text.Json;

namespace Lethe.Tests.Integration;

/// <summary>
/// lethe bench's smoke test: one round of each kind of boot on the shared image. It checks the figures are
/// there and whole, never how fast they are (the targets are checked by running bench, not by tests).
/// The first run in a clone also builds the baseline's initramfs (cached per image afterwards); the warm
/// kind's priming run takes the warm snapshot when there is none.
/// </summary>
[Collection(MachineCollection.Name)]
public sealed class BootBenchTests(TestImage image)
{
    [Fact(Timeout = 1_800_000)]
    public async Task One_round_gives_the_four_kinds_their_ratios_lethes_and_warms_phases_and_the_host_facts_as_json()
    {
        var result = await LetheProcess.RunAsync(["bench", "--spec", image.FastSpec, "--runs", "1", "--memory", "512", "--json"], timeout: TimeSpan.FromMinutes(29));
        result.ExitCode.ShouldBe(0, result.ToString());
        result.Stderr.ShouldContain("round 1/1, baseline");
        result.Stderr.ShouldContain("priming the warm snapshot");
        result.Stderr.ShouldContain("round 1/1, warm");

        using var json = JsonDocument.Parse(result.Stdout);
        var root = json.RootElement;
        var kinds = root.GetProperty("kinds").EnumerateArray().ToDictionary(k => k.GetProperty("kind").GetString()!);
        kinds.Keys.Order().ToList().ShouldBe(["baseline", "floor", "lethe", "warm"], result.ToString());
        foreach (var kind in kinds.Values)
            kind.GetProperty("wall").GetProperty("medianMs").GetDouble().ShouldBeGreaterThan(0);
        kinds["lethe"].GetProperty("qemuPeakRssMiB").GetDouble().ShouldBeGreaterThan(0);
        kinds["lethe"].GetProperty("guestMemoryInUseMiB").GetDouble().ShouldBeGreaterThan(0);
        kinds["warm"].GetProperty("qemuPeakRssMiB").GetDouble().ShouldBeGreaterThan(0);

        root.GetProperty("ratios").EnumerateArray().Select(r => $"{r.GetProperty("numerator").GetString()}/{r.GetProperty("denominator").GetString()}")
            .ShouldBe(["baseline/lethe", "lethe/floor", "lethe/warm", "warm/floor"]);
        var phases = root.GetProperty("lethePhaseMedians").EnumerateArray().Select(p => p.GetProperty("name").GetString()).ToList();
        phases.ShouldBe(["CLI start", "image lookup", "QEMU start", "QEMU setup + channel", "kernel", "modules", "root", "guest to ready",
            "command start", "command", "QEMU exit", "CLI exit"]);
        var lethe = root.GetProperty("samples").EnumerateArray().Single(s => s.GetProperty("kind").GetString() == "lethe");
        lethe.GetProperty("phases").EnumerateArray().Sum(p => p.GetProperty("ms").GetDouble())
            .ShouldBe(lethe.GetProperty("wallMs").GetDouble(), tolerance: 2);
        root.GetProperty("targets").GetArrayLength().ShouldBe(4);

        // The warm kind: a restore (a cold fallback fails the bench), timed by the host's clock only.
        var warmStart = root.GetProperty("warmStart");
        warmStart.GetProperty("toCommand").GetProperty("medianMs").GetDouble().ShouldBeGreaterThan(0);
        warmStart.GetProperty("coldToCommand").GetProperty("medianMs").GetDouble().ShouldBeGreaterThan(0);
        warmStart.GetProperty("speedup").GetDouble().ShouldBeGreaterThan(0);
        warmStart.GetProperty("command").GetProperty("medianMs").GetDouble().ShouldBeGreaterThanOrEqualTo(0);
        root.GetProperty("warmPrimingSeconds").GetDouble().ShouldBeGreaterThan(0);
        root.GetProperty("warmPhaseMedians").EnumerateArray().Select(p => p.GetProperty("name").GetString())
            .ShouldBe(["CLI start", "image lookup", "QEMU start", "restore to ready", "command start", "command", "QEMU exit", "CLI exit"]);
        var warm = root.GetProperty("samples").EnumerateArray().Single(s => s.GetProperty("kind").GetString() == "warm");
        warm.GetProperty("phases").EnumerateArray().Sum(p => p.GetProperty("ms").GetDouble())
            .ShouldBe(warm.GetProperty("wallMs").GetDouble(), tolerance: 2);
        warm.GetProperty("guestReadyMs").ValueKind.ShouldBe(JsonValueKind.Null);
        warm.GetProperty("hostOverheadMs").ValueKind.ShouldBe(JsonValueKind.Null);
        var host = root.GetProperty("host");
        host.GetProperty("qemuVersion").GetString().ShouldStartWith("QEMU emulator version");
        host.GetProperty("hostKernel").GetString().ShouldNotBeNullOrEmpty();
        host.GetProperty("accelerator").GetString().ShouldBeOneOf("tcg", "kvm");
        root.GetProperty("command").GetString().ShouldStartWith("lethe bench --spec");
    }
}
