using Lethe.Machine.Verify;
using Lethe.Protocol.Boot;

namespace Lethe.Tests.Workstation;

public sealed class CanaryTests
{
    private static IReadOnlyList<Canary> Plan(params string[] allowlist) =>
        CanaryPlan.For("t0k", "/home/dev", 1000, 1000, allowlist, allowlist.Where(p => !p.EndsWith("known_hosts", StringComparison.Ordinal)).ToHashSet());

    [Fact]
    public void Canaries_go_outside_the_allowlist_in_every_place_a_machine_changes_and_inside_every_kept_directory()
    {
        var plan = Plan("/etc/ssh", "/home/dev/src", "/home/dev/.ssh/known_hosts");
        plan.Where(c => !c.MustSurvive).Select(c => c.Path).ShouldBe(
            ["/etc/.lethe-canary-t0k", "/var/.lethe-canary-t0k", "/root/.lethe-canary-t0k", "/opt/.lethe-canary-t0k", "/tmp/.lethe-canary-t0k", "/home/dev/.lethe-canary-t0k"]);
        plan.Where(c => c.MustSurvive).Select(c => (c.Path, c.Uid)).ShouldBe(
            [("/etc/ssh/.lethe-canary-t0k", 0), ("/home/dev/src/.lethe-canary-t0k", 1000)]);
    }

    [Fact]
    public void An_outside_canary_that_would_fall_inside_the_allowlist_is_left_out()
    {
        Plan("/opt").Where(c => !c.MustSurvive).Select(c => c.Path).ShouldNotContain("/opt/.lethe-canary-t0k");
    }

    [Fact]
    public void Only_allowlisted_paths_the_guest_saw_as_folders_without_following_links_get_a_canary()
    {
        string[] allowlist = ["/etc/keep", "/home/dev/proj/src", "/home/dev/gone"];
        var lstat = new[]
        {
            new StepOutcome(true, Facts: new PathFacts(PathKind.Directory, 0, 0, 0b111_101_101)),
            new StepOutcome(true, Facts: new PathFacts(PathKind.Symlink, 1000, 1000, 0b111_111_111)),
            new StepOutcome(true),
        };
        CanaryPlan.Directories(allowlist, lstat).ShouldBe(["/etc/keep"]);
    }

    [Fact]
    public void Canaries_are_written_read_and_removed_as_steps_never_as_shell()
    {
        var canary = new Canary("/home/dev/it's here/x", true, 1000, 1000, 0b110_100_000, "a'b");
        CanaryPlan.Write([canary]).ShouldBe([new WriteNewFile("/home/dev/it's here/x", new Ownership(1000, 1000, 0b110_100_000), "a'b")]);
        CanaryPlan.Read([canary]).ShouldBe([new ReadEntry("/home/dev/it's here/x")]);
        CanaryPlan.Remove([canary]).ShouldBe([new RemoveEntry("/home/dev/it's here/x", "/home/dev/it's here")]);
    }

    [Fact]
    public void The_judge_fails_a_kept_canary_that_was_lost_changed_owner_or_became_a_link_and_an_outside_one_that_survived()
    {
        var plan = Plan("/home/dev/src", "/etc/keep");
        var written = plan.Select(_ => StepOutcome.Done).ToList();
        StepOutcome File(int uid, int mode, string content) => new(true, Facts: new PathFacts(PathKind.File, uid, uid, mode), Content: content);
        var read = plan.Select(c => c.Path switch
        {
            "/etc/.lethe-canary-t0k" => File(0, 0b110_000_000, "outside t0k"),
            "/home/dev/src/.lethe-canary-t0k" => File(0, 0b110_100_000, "inside t0k /home/dev/src"),
            "/etc/keep/.lethe-canary-t0k" => new StepOutcome(true, Facts: new PathFacts(PathKind.Symlink, 1000, 1000, 0b111_111_111)),
            _ => StepOutcome.Done,
        }).ToList();
        var results = CanaryJudge.Judge(plan, written, read).ToDictionary(r => r.Check);
        results["wiped: /etc/.lethe-canary-t0k"].Passed.ShouldBeFalse();
        results["wiped: /var/.lethe-canary-t0k"].Passed.ShouldBeTrue();
        results["wiped: /tmp/.lethe-canary-t0k"].Passed.ShouldBeTrue();
        results["kept: /home/dev/src/.lethe-canary-t0k"].Passed.ShouldBeFalse();
        results["kept: /home/dev/src/.lethe-canary-t0k"].Detail.ShouldContain("expected 1000 1000 640");
        results["kept: /etc/keep/.lethe-canary-t0k"].Passed.ShouldBeFalse();
        results["kept: /etc/keep/.lethe-canary-t0k"].Detail.ShouldContain("symlink");
    }

    [Fact]
    public void A_canary_the_guest_refused_to_write_fails_its_check_even_if_it_is_then_missing()
    {
        var plan = Plan();
        var written = plan.Select(c => c.Path == "/home/dev/.lethe-canary-t0k" ? new StepOutcome(false, "/home/dev is a symbolic link") : StepOutcome.Done).ToList();
        var results = CanaryJudge.Judge(plan, written, plan.Select(_ => StepOutcome.Done).ToList()).ToDictionary(r => r.Check);
        results["wiped: /home/dev/.lethe-canary-t0k"].Passed.ShouldBeFalse();
        results["wiped: /home/dev/.lethe-canary-t0k"].Detail.ShouldContain("could not be written");
    }
}
