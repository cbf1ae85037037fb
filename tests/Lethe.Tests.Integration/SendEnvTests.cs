namespace Lethe.Tests.Integration;

/// <summary>
/// send_env: a value sent to a session is in that session's environment and nowhere else: not in the seed
/// archive, not in any argv (QEMU's, lethe's, the guest's processes), not on the kernel command line, not in
/// a file on the host or in the guest, not in the console, lifecycle or network logs, not on the persist disk.
/// </summary>
[Collection(MachineCollection.Name)]
public sealed class SendEnvTests(TestImage image)
{
    private const int Timeout = 600_000;

    /// <summary>
    /// Run in the guest as the session: prints what it sees, counts the marker in every process's argv and
    /// the kernel command line (awk reads it from its environment, so no argv holds it), lists every file
    /// in the writable places (the overlay's upper layers under /run, /tmp, /dev/shm, the shared /work)
    /// that holds it.
    /// </summary>
    private static string GuestScript(string variable) => $$"""
        echo "seen=${{variable}}"
        count='index($0, ENVIRON["{{variable}}"]) {n++} END {print n+0}'
        echo "argv=$(cat /proc/[0-9]*/cmdline 2>/dev/null | tr '\0' '\n' | awk "$count")"
        echo "kernel=$(tr '\0' '\n' < /proc/cmdline | awk "$count")"
        echo "environ=$(sudo sh -c 'cat /proc/[0-9]*/environ' 2>/dev/null | tr '\0' '\n' | awk "$count")"
        printenv {{variable}} | sudo grep -rlsF --devices=skip -f - /run /tmp /dev/shm /var/tmp /work | sed 's/^/file=/'
        echo checked
        """;

    [Fact(Timeout = Timeout)]
    public async Task A_value_sent_to_a_run_is_in_its_session_and_in_no_argv_seed_file_or_log()
    {
        var optionMarker = SecretScan.NewMarker("send-env");
        var specMarker = SecretScan.NewMarker("spec-send-env");
        var spec = image.WriteSpec("it-send-env", "ssh:\n  send_env: [LETHE_SPEC_SECRET]\n");
        var environment = new Dictionary<string, string> { ["LETHE_OPTION_SECRET"] = optionMarker, ["LETHE_SPEC_SECRET"] = specMarker };
        var token = TestContext.Current.CancellationToken;
        using var lethe = LetheProcess.Start(["--debug", "run", "--spec", spec, "--send-env", "LETHE_OPTION_SECRET", "--", "bash", "-c",
            // Then it waits for stdin to close, so that the host can look while the machine runs.
            GuestScript("LETHE_OPTION_SECRET") + "\n" + GuestScript("LETHE_SPEC_SECRET") + "\ngetent hosts send-env-check.invalid > /dev/null; cat > /dev/null"], environment: environment, cancellationToken: token);
        var stderr = lethe.StandardError.ReadToEndAsync(token);
        var lines = new List<string>();
        while (await lethe.StandardOutput.ReadLineAsync(token) is { } line)
        {
            lines.Add(line);
            if (line == "checked" && lines.Count(l => l == "checked") == 2)
                break;
        }
        var seen = string.Join('\n', lines);
        lines.Count(l => l == "checked").ShouldBe(2, seen + "\n" + (lethe.HasExited ? await stderr : ""));

        // While the machine runs: every host process's argv, QEMU's environment, and every file lethe keeps.
        var qemu = SecretScan.Children(lethe.Id).Where(pid => SecretScan.Comm(pid).StartsWith("qemu-system", StringComparison.Ordinal)).ToList();
        qemu.ShouldHaveSingleItem($"QEMU should be a child of lethe ({lethe.Id})");
        var seeds = Directory.EnumerateFiles(Path.Combine(LetheProcess.LetheHome, "run", "runs"), "seed.json", SearchOption.AllDirectories)
            .Where(f => File.ReadAllText(f).Contains("it-send-env", StringComparison.Ordinal)).ToList();
        seeds.ShouldNotBeEmpty("the run's seed should be in its run folder while it runs");
        foreach (var marker in new[] { optionMarker, specMarker })
        {
            SecretScan.ProcessesWithMarkerInArgv(marker).ShouldBeEmpty();
            SecretScan.FileContains($"/proc/{qemu[0]}/environ", marker).ShouldBeFalse();
            // The seed reaches the guest on the control port; its readable copy is the only seed on disk.
            foreach (var seed in seeds)
                SecretScan.FileContains(seed, marker).ShouldBeFalse();
            ShouldBeInNoFile(marker, "while the machine runs");
        }

        lethe.StandardInput.Close();
        await lethe.WaitForExitAsync(token);
        var errors = await stderr;
        lethe.ExitCode.ShouldBe(0, errors);

        lines.ShouldContain($"seen={optionMarker}");
        lines.ShouldContain($"seen={specMarker}");
        lines.Where(l => l.StartsWith("argv=", StringComparison.Ordinal)).ShouldBe(["argv=0", "argv=0"], seen);
        lines.Where(l => l.StartsWith("kernel=", StringComparison.Ordinal)).ShouldBe(["kernel=0", "kernel=0"], seen);
        // The session's own processes legitimately hold it in their environment: the probe itself sees it there.
        lines.Where(l => l.StartsWith("environ=", StringComparison.Ordinal)).ShouldAllBe(l => l != "environ=0", seen);
        lines.Where(l => l.StartsWith("file=", StringComparison.Ordinal)).ShouldBeEmpty(seen);

        // After the run: its console log and network log (with the probe's DNS query) are kept (--debug); neither, nor any other file, holds it.
        var kept = errors.Split('\n').Single(l => l.StartsWith("lethe: console log:", StringComparison.Ordinal));
        var consoleLog = kept[(kept.IndexOf("(kept as ", StringComparison.Ordinal) + "(kept as ".Length)..].TrimEnd(')');
        new FileInfo(consoleLog).Length.ShouldBeGreaterThan(0);
        var netLog = consoleLog[..^".console.log".Length] + ".net.log";
        new FileInfo(netLog).Length.ShouldBeGreaterThan(0, errors);
        foreach (var marker in new[] { optionMarker, specMarker })
        {
            errors.ShouldNotContain(marker);
            SecretScan.FileContains(consoleLog, marker).ShouldBeFalse();
            SecretScan.FileContains(netLog, marker).ShouldBeFalse();
            ShouldBeInNoFile(marker, "after the run");
        }
    }

    [Fact(Timeout = Timeout)]
    public async Task A_name_unset_on_the_host_is_exit_2_naming_it_before_anything_boots()
    {
        var spec = image.WriteSpec("it-send-env-unset", "ssh:\n  send_env: [LETHE_NEVER_SET_A]\n");
        var result = await LetheProcess.RunAsync(["run", "--spec", spec, "--send-env", "LETHE_NEVER_SET_B", "--", "true"], timeout: TimeSpan.FromMinutes(2));
        result.ExitCode.ShouldBe(2, result.ToString());
        result.Stderr.Trim().ShouldBe("lethe: send_env: LETHE_NEVER_SET_A, LETHE_NEVER_SET_B are not set in lethe's environment", result.ToString());
    }

    [Fact(Timeout = Timeout)]
    public async Task A_workstation_session_gets_its_values_and_they_reach_no_log_argv_or_persist_disk()
    {
        const string name = "it-ws-send-env";
        var marker = SecretScan.NewMarker("ws-send-env");
        var written = SecretScan.NewMarker("written");
        var spec = image.WriteSpec(name, """
            ssh:
              send_env: [LETHE_WS_SECRET]
            persist:
              size: 64M
              paths:
                - ~/src
            """);
        try
        {
            // up needs no value: the names are read at each exec, from the exec's own environment.
            await LetheProcess.UpAsync(name, ["--spec", spec]);
            var unset = await LetheProcess.RunAsync(["exec", name, "--", "true"]);
            unset.ExitCode.ShouldBe(2, unset.ToString());
            unset.Stderr.ShouldContain("LETHE_WS_SECRET is not set");

            var environment = new Dictionary<string, string> { ["LETHE_WS_SECRET"] = marker };
            var session = await LetheProcess.RunAsync(["exec", name, "--", "bash", "-c",
                GuestScript("LETHE_WS_SECRET") + $"\necho {written} > ~/src/kept; sync"], environment: environment);
            session.ExitCode.ShouldBe(0, session.ToString());
            session.Stdout.ShouldContain($"seen={marker}");
            session.Stdout.ShouldContain("argv=0\n");
            session.Stdout.ShouldContain("kernel=0\n");
            session.Stdout.ShouldNotContain("file=");

            // Another session without it does not see it: it belongs to the one session.
            var other = await LetheProcess.RunAsync(["exec", name, "--send-env", "LETHE_OTHER", "--", "sh", "-c", "echo \"[$LETHE_WS_SECRET][$LETHE_OTHER]\""],
                environment: new Dictionary<string, string> { ["LETHE_WS_SECRET"] = "another-value", ["LETHE_OTHER"] = "o" });
            other.ExitCode.ShouldBe(0, other.ToString());
            other.Stdout.ShouldBe("[another-value][o]\n", other.ToString());

            SecretScan.ProcessesWithMarkerInArgv(marker).ShouldBeEmpty();
            ShouldBeInNoFile(marker, "while the workstation runs");
        }
        finally
        {
            await LetheProcess.RunAsync(["down", name]);
        }
        var disk = Path.Combine(LetheProcess.LetheHome, "state", "machines", name, "persist.ext4");
        File.Exists(disk).ShouldBeTrue();
        SecretScan.FileContains(disk, written).ShouldBeTrue("the scan must be able to see what the session wrote to the persist disk");
        SecretScan.FileContains(disk, marker).ShouldBeFalse();
        ShouldBeInNoFile(marker, "after down");
    }

    /// <summary>Nothing lethe keeps (state: machines, logs; run: run folders; the scratch folder) nor the shared folder holds it.</summary>
    private static void ShouldBeInNoFile(string marker, string when)
    {
        var scanned = 0;
        foreach (var root in new[] { Path.Combine(LetheProcess.LetheHome, "state"), Path.Combine(LetheProcess.LetheHome, "run"),
                     Path.Combine(LetheProcess.LetheHome, "cache", "scratch"), LetheProcess.WorkFolder })
        {
            var (files, count) = SecretScan.FilesContaining(root, marker);
            files.ShouldBeEmpty($"{when}: {root}");
            scanned += count;
        }
        scanned.ShouldBeGreaterThan(0, when);
    }
}
