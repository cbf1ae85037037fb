using Lethe.Machine.Generations;

namespace Lethe.Tests.Generations;

public sealed class GenerationHistoryTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 28, 5, 0, 0, TimeSpan.Zero);

    private static GenerationCandidate Candidate(string image, string kernel = "k1", string initramfs = "i1", string release = "6.1.0-56-amd64", string spec = "s1") =>
        new(image, kernel, initramfs, release, spec, "l1", null);

    [Fact]
    public void A_boot_of_an_unchanged_image_and_spec_is_the_same_generation_and_a_change_is_the_next_number()
    {
        var (history, first) = GenerationHistory.Empty.Record(Candidate("a"), Now);
        first.Number.ShouldBe(1);
        history.Record(Candidate("a"), Now.AddHours(1)).Generation.ShouldBe(first);
        var (later, second) = history.Record(Candidate("b"), Now.AddHours(1));
        second.Number.ShouldBe(2);
        second.State.ShouldBe(GenerationState.Staged);
        later.Generations.Count.ShouldBe(2);
        // Same image, another spec (a boot-time setting such as the allowlist): a generation too.
        later.Record(Candidate("b", spec: "s2"), Now).Generation.Number.ShouldBe(3);
    }

    [Fact]
    public void A_generation_that_failed_is_skipped_for_the_newest_good_one_with_a_note()
    {
        var history = GenerationHistory.Empty.Record(Candidate("a"), Now).History.MarkGood(1);
        history = history.Record(Candidate("b"), Now).History.MarkBad(2, "the guest did not answer");
        history.FallbackAfter(2)!.Number.ShouldBe(1);
        var choice = history.ChooseBoot()!;
        choice.Generation.Number.ShouldBe(1);
        choice.Note.ShouldBe("generation 2 failed to boot before (the guest did not answer); booting generation 1");
        // A good generation is never marked bad by a later failure: it booted once, the fault is elsewhere.
        history.MarkBad(1, "x").Find(1)!.State.ShouldBe(GenerationState.Good);
    }

    [Fact]
    public void A_failure_quoting_the_guest_is_kept_without_terminal_controls()
    {
        var history = GenerationHistory.Empty.Record(Candidate("a"), Now).History.MarkBad(1, "guest init: \u001b]0;owned\u0007\nfake line");
        var failure = history.Find(1)!.Failure.ShouldNotBeNull();
        failure.ShouldNotContain("\u001b");
        failure.ShouldNotContain("\n");
        failure.ShouldContain("fake line");
    }

    [Fact]
    public void Nothing_good_to_fall_back_to_gives_no_choice()
    {
        var history = GenerationHistory.Empty.Record(Candidate("a"), Now).History.MarkBad(1, "x");
        history.ChooseBoot().ShouldBeNull();
        history.FallbackAfter(1).ShouldBeNull();
    }

    [Fact]
    public void A_rollback_pins_an_earlier_generation_until_a_newer_one_is_recorded()
    {
        var history = GenerationHistory.Empty.Record(Candidate("a"), Now).History.MarkGood(1);
        history = history.Record(Candidate("b"), Now).History.MarkGood(2).Pin(1);
        history.ChooseBoot()!.Generation.Number.ShouldBe(1);
        history.ChooseBoot()!.Note.ShouldBe("generation 1 (rolled back; generation 2 is newer)");
        history.Record(Candidate("b"), Now).History.Pinned.ShouldBe(1);
        history.Record(Candidate("c"), Now).History.Pinned.ShouldBeNull();
        history.Pin(2).Pinned.ShouldBeNull();
        Should.Throw<ArgumentOutOfRangeException>(() => history.Pin(9));
    }

    [Fact]
    public void Only_a_kernel_or_initramfs_change_waits_for_a_reboot_and_says_why()
    {
        var history = GenerationHistory.Empty.Record(Candidate("a"), Now).History.MarkGood(1);
        history.Record(Candidate("b"), Now).History.RebootTriggers().ShouldBeEmpty();
        history.Record(Candidate("c", kernel: "k2", release: "6.1.0-57-amd64"), Now).History.RebootTriggers()
            .ShouldBe(["kernel 6.1.0-56-amd64 → 6.1.0-57-amd64"]);
        history.Record(Candidate("d", kernel: "k2", initramfs: "i2"), Now).History.RebootTriggers()
            .ShouldBe(["kernel 6.1.0-56-amd64 rebuilt", "initramfs changed"]);
        // Once booted, nothing waits.
        history.Record(Candidate("d", kernel: "k2"), Now).History.MarkGood(2).RebootTriggers().ShouldBeEmpty();
    }

    [Fact]
    public void Collection_keeps_the_newest_and_the_booted_and_pinned_ones_and_never_reuses_a_number()
    {
        var history = GenerationHistory.Empty;
        foreach (var image in new[] { "a", "b", "c", "d", "e" })
            history = history.Record(Candidate(image), Now).History;
        history = history.MarkGood(1).Pin(2);
        var (kept, collected) = history.Collect(keep: 2);
        kept.Generations.Select(g => g.Number).ShouldBe([1, 2, 4, 5]);
        collected.Select(g => g.Number).ShouldBe([3]);
        (kept with { Pinned = null }).Collect(keep: 1).History.Generations.Select(g => g.Number).ShouldBe([1, 5]);
        kept.Record(Candidate("f"), Now).Generation.Number.ShouldBe(6);
        (kept.Collect(keep: 1).History with { Pinned = null }).Collect(keep: 1).History.Record(Candidate("f"), Now).Generation.Number.ShouldBe(6);
    }

    [Fact]
    public void A_bad_generation_is_not_the_next_boot_and_waits_for_no_reboot()
    {
        var history = GenerationHistory.Empty.Record(Candidate("a"), Now).History.MarkGood(1);
        history = history.Record(Candidate("b", kernel: "k2"), Now).History;
        history.RebootTriggers().ShouldNotBeEmpty();
        history = history.MarkBad(2, "no ready");
        history.Next!.Number.ShouldBe(1);
        history.RebootTriggers().ShouldBeEmpty();
    }
}
