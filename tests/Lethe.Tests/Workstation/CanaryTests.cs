using Lethe.Machine.Verify;

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
    public void The_judge_fails_a_kept_canary_that_was_lost_or_changed_owner_and_an_outside_one_that_survived()
    {
        var plan = Plan("/home/dev/src");
        var output = string.Join('\n',
            "/etc/.lethe-canary-t0k\t0 0 600\toutside t0k",
            "/var/.lethe-canary-t0k\t-",
            "/home/dev/src/.lethe-canary-t0k\t0 0 640\tinside t0k /home/dev/src");
        var results = CanaryJudge.Judge(plan, output).ToDictionary(r => r.Check);
        results["wiped: /etc/.lethe-canary-t0k"].Passed.ShouldBeFalse();
        results["wiped: /var/.lethe-canary-t0k"].Passed.ShouldBeTrue();
        results["wiped: /tmp/.lethe-canary-t0k"].Passed.ShouldBeTrue();
        results["kept: /home/dev/src/.lethe-canary-t0k"].Passed.ShouldBeFalse();
        results["kept: /home/dev/src/.lethe-canary-t0k"].Detail.ShouldContain("expected 1000 1000 640");
    }

    [Fact]
    public void The_scripts_quote_every_path()
    {
        var canary = new Canary("/home/dev/it's here/x", true, 1000, 1000, "640", "a'b");
        CanaryPlan.WriteScript([canary]).ShouldContain("'/home/dev/it'\\''s here/x'");
        CanaryPlan.ReadScript([canary]).ShouldContain("'/home/dev/it'\\''s here/x'");
    }
}
