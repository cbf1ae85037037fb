using Lethe.Machine.Generations;

namespace Lethe.Tests.Generations;

public sealed class AutoUpdateUnitsTests
{
    private static readonly Dictionary<string, string> Environment = new() { ["LETHE_HOME"] = "/home/a/lethe home", ["PATH"] = "/usr/bin:/bin" };

    [Fact]
    public void The_timer_runs_the_service_every_update_every_and_the_service_runs_lethe_update_for_the_machine()
    {
        var units = AutoUpdateUnits.For("dev", ["/opt/lethe/lethe"], "/home/a/proj/lethe.yaml", TimeSpan.FromMinutes(90), Environment);
        units.ServiceName.ShouldBe("lethe-update-dev.service");
        units.TimerName.ShouldBe("lethe-update-dev.timer");
        units.TimerText.ShouldContain("OnUnitActiveSec=5400s\n");
        units.TimerText.ShouldContain("WantedBy=timers.target\n");
        units.ServiceText.ShouldContain("Type=oneshot\n");
        units.ServiceText.ShouldContain("Environment=\"LETHE_HOME=/home/a/lethe home\"\nEnvironment=\"PATH=/usr/bin:/bin\"\n");
        units.ServiceText.ShouldContain("ExecStart=\"/opt/lethe/lethe\" \"update\" \"--spec\" \"/home/a/proj/lethe.yaml\" \"dev\"\n");
    }

    [Fact]
    public void Words_that_systemd_would_expand_are_escaped()
    {
        AutoUpdateUnits.QuoteWord("/a b/$HOME/%h/\"q\"\\").ShouldBe("\"/a b/$$HOME/%%h/\\\"q\\\"\\\\\"");
        AutoUpdateUnits.QuoteValue("X=$HOME %h").ShouldBe("\"X=$HOME %%h\"");
    }

    [Fact]
    public void A_control_character_never_reaches_a_unit_file() =>
        Should.Throw<ArgumentException>(() => AutoUpdateUnits.For("dev", ["/opt/lethe"], "/tmp/x\nExecStartPre=/bin/evil", TimeSpan.FromHours(1), Environment));
}
