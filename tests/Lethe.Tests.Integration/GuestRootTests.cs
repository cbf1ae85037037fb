namespace Lethe.Tests.Integration;

/// <summary>
/// What lethe does as root inside a guest (verify's canaries, persist gc) against a guest user who
/// plants links and forges file names.
/// </summary>
[Collection(MachineCollection.Name)]
public sealed class GuestRootTests(TestImage image)
{
    private const int Timeout = 900_000;

    /// <summary>The workstation image with an allowlisted folder whose parent the user owns (and so can swap).</summary>
    private async Task<string> HostileSpecAsync()
    {
        var spec = Path.Combine(image.Folder, "hostile.yaml");
        var stop = TestContext.Current.CancellationToken;
        var workstation = await File.ReadAllTextAsync(image.WorkstationSpec, stop);
        await File.WriteAllTextAsync(spec, workstation.Replace("name: it-ws", "name: it-hostile", StringComparison.Ordinal)
            .Replace("    - ~/src\n", "    - ~/src\n    - ~/proj/src\n", StringComparison.Ordinal), stop);
        File.Copy(Path.ChangeExtension(image.WorkstationSpec, ".lock"), Path.ChangeExtension(spec, ".lock"), overwrite: true);
        return spec;
    }

    [Fact(Timeout = Timeout)]
    public async Task Verify_never_writes_a_canary_through_a_link_the_user_planted_and_does_not_pass()
    {
        const string name = "it-root-canary";
        var spec = await HostileSpecAsync();
        try
        {
            await LetheProcess.UpAsync(name, ["--spec", spec], timeout: TimeSpan.FromMinutes(10));
            // A root-only folder that is kept, and the user's swap of an allowlisted folder for a link to it.
            var plant = await LetheProcess.RunAsync(["exec", name, "--", "sh", "-c",
                "set -e; sudo mkdir -m 0700 /etc/keep/sub; mv ~/proj ~/proj.old; mkdir ~/proj; ln -s /etc/keep/sub ~/proj/src"]);
            plant.ExitCode.ShouldBe(0, plant.ToString());

            var verify = await LetheProcess.RunAsync(["verify", name], timeout: TimeSpan.FromMinutes(10));
            verify.ExitCode.ShouldBe(1, verify.ToString());
            verify.Stdout.ShouldMatch(@"FAIL\s+backed: /home/dev/proj/src");

            var leftover = await LetheProcess.RunAsync(["exec", name, "--", "sudo", "find", "/etc/keep/sub", "-mindepth", "1", "-printf", "%p %u\\n"]);
            leftover.ExitCode.ShouldBe(0, leftover.ToString());
            leftover.Stdout.ShouldBeEmpty("verify wrote through the user's link into a root-only folder");
        }
        finally
        {
            await LetheProcess.RunAsync(["down", name]);
        }
    }

    [Fact(Timeout = Timeout)]
    public async Task Persist_gc_is_not_fooled_by_file_names_with_newlines_and_deletes_only_what_the_allowlist_dropped()
    {
        const string name = "it-root-gc";
        // The same machine, with ~/private dropped from the allowlist: its copy on the disk is what gc must delete.
        var reduced = Path.Combine(image.Folder, "reduced.yaml");
        var stop = TestContext.Current.CancellationToken;
        var workstation = await File.ReadAllTextAsync(image.WorkstationSpec, stop);
        var dropped = workstation.Replace("    - {path: ~/private, mode: \"0700\"}", "", StringComparison.Ordinal);
        dropped.ShouldNotBe(workstation);
        await File.WriteAllTextAsync(reduced, dropped, stop);
        File.Copy(Path.ChangeExtension(image.WorkstationSpec, ".lock"), Path.ChangeExtension(reduced, ".lock"), overwrite: true);
        try
        {
            await LetheProcess.UpAsync(name, ["--spec", image.WorkstationSpec], timeout: TimeSpan.FromMinutes(10));
            // In a kept folder the user names files as they like: these forge listing lines (a name holds no '/',
            // but the folders below it continue the forged path).
            var plant = await LetheProcess.RunAsync(["exec", name, "--", "sh", "-c",
                "set -e; echo precious > ~/src/keepme; echo p > ~/private/p; " +
                "mkdir -p ~/src/\"$(printf 'x\\nd\\t0\\t/x')\"; " +
                "mkdir -p ~/src/\"$(printf 'y\\nd\\t0\\tXXXXXXXXXXXXX')\"/home/dev/ghost"]);
            plant.ExitCode.ShouldBe(0, plant.ToString());

            await DiffNamesLostFilesSafelyAsync(name);

            var gc = await LetheProcess.RunAsync(["persist", "gc", name, "--spec", reduced, "--yes"]);
            gc.ExitCode.ShouldBe(0, gc.ToString());
            gc.Stdout.ShouldContain("/home/dev/private ");
            gc.Stdout.ShouldNotContain("ghost");
            gc.Stdout.ShouldContain("deleted 1 entry");

            var read = await LetheProcess.RunAsync(["exec", name, "--", "sh", "-c", "cat ~/src/keepme; sudo ls -A /persist/data/home/dev"]);
            read.ExitCode.ShouldBe(0, read.ToString());
            read.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).ShouldBe(["precious", ".config", "src"], read.ToString());
        }
        finally
        {
            await LetheProcess.RunAsync(["down", name]);
        }
    }

    [Fact(Timeout = Timeout)]
    public async Task Verify_with_a_scratch_disk_passes_its_scratch_checks_with_the_marker_written_as_the_user()
    {
        var verify = await LetheProcess.RunAsync(["verify", "--spec", image.WorkstationSpec, "--scratch", "256M"], timeout: TimeSpan.FromMinutes(12));
        verify.ExitCode.ShouldBe(0, verify.ToString());
        verify.Stdout.ShouldMatch(@"ok\s+scratch: crypt mapping");
        verify.Stdout.ShouldMatch(@"ok\s+scratch: deleted at stop");
    }

    [Fact(Timeout = Timeout)]
    public async Task A_spec_PATH_leading_to_the_users_own_programs_is_not_used_by_lethes_root_commands()
    {
        const string name = "it-root-path";
        var spec = Path.Combine(image.Folder, "planted-path.yaml");
        var stop = TestContext.Current.CancellationToken;
        await File.WriteAllTextAsync(spec, (await File.ReadAllTextAsync(image.WorkstationSpec, stop))
            .Replace("  LETHE_TEST: \"yes\"\n", "  LETHE_TEST: \"yes\"\n  PATH: /home/dev/bin:/usr/bin:/bin\n", StringComparison.Ordinal), stop);
        File.Copy(Path.ChangeExtension(image.WorkstationSpec, ".lock"), Path.ChangeExtension(spec, ".lock"), overwrite: true);
        try
        {
            await LetheProcess.UpAsync(name, ["--spec", spec], timeout: TimeSpan.FromMinutes(10));
            // The user's own find and du, first on the spec's PATH: lethe's persist commands run find and du as root.
            var plant = await LetheProcess.RunAsync(["exec", name, "--", "sh", "-c",
                "set -e; mkdir -p ~/bin; for p in find du cat sh; do printf '#!/bin/sh\\nid -u > /tmp/ran-as-$(id -u)\\nexec /usr/bin/%s \"$@\"\\n' $p > ~/bin/$p; chmod +x ~/bin/$p; done; command -v find"]);
            plant.ExitCode.ShouldBe(0, plant.ToString());
            plant.Stdout.Trim().ShouldBe("/home/dev/bin/find", "the planted program is first on the user's PATH");

            (await LetheProcess.RunAsync(["persist", "diff", name])).ExitCode.ShouldBe(0);
            (await LetheProcess.RunAsync(["persist", "ls", name])).ExitCode.ShouldBe(0);

            var ran = await LetheProcess.RunAsync(["exec", name, "--", "sh", "-c", "ls /tmp/ran-as-0 2>/dev/null; true"]);
            ran.Stdout.ShouldBeEmpty("a program the user planted ran as root");
        }
        finally
        {
            await LetheProcess.RunAsync(["down", name]);
        }
    }

    /// <summary>persist diff names each file the next boot loses, largest first, with its escape characters shown escaped.</summary>
    private static async Task DiffNamesLostFilesSafelyAsync(string name)
    {
        var write = await LetheProcess.RunAsync(["exec", name, "--", "sh", "-c",
            "head -c 3000 /dev/zero > ~/big; head -c 20 /dev/zero > ~/small; printf x > /tmp/\"$(printf 'e\\033[31m')\""]);
        write.ExitCode.ShouldBe(0, write.ToString());
        var text = await LetheProcess.RunAsync(["persist", "diff", name]);
        text.ExitCode.ShouldBe(0, text.ToString());
        text.Stdout.ShouldNotContain("\u001b");
        text.Stdout.ShouldContain("/tmp/e\\x1b[31m");
        text.Stdout.IndexOf("/home/dev/big", StringComparison.Ordinal).ShouldBeLessThan(text.Stdout.IndexOf("/home/dev/small", StringComparison.Ordinal));
        text.Stdout.ShouldNotContain("keepme");

        var json = await LetheProcess.RunAsync(["persist", "diff", name, "--json"]);
        json.ExitCode.ShouldBe(0, json.ToString());
        var groups = System.Text.Json.JsonDocument.Parse(json.Stdout).RootElement.GetProperty("groups").EnumerateArray().ToList();
        var home = groups.Single(g => g.GetProperty("directory").GetString() == "/home/dev");
        var files = home.GetProperty("files").EnumerateArray().Select(f => (Path: f.GetProperty("path").GetString(), Bytes: f.GetProperty("bytes").GetInt64())).ToList();
        files.ShouldContain(("/home/dev/big", 3000L));
        files.ShouldContain(("/home/dev/small", 20L));
        files.Select(f => f.Bytes).ShouldBeInOrder(SortDirection.Descending);
        groups.Single(g => g.GetProperty("directory").GetString() == "/tmp").GetProperty("files").EnumerateArray()
            .Select(f => f.GetProperty("path").GetString()).ShouldContain("/tmp/e\u001b[31m");
    }
}
