using System.Text.RegularExpressions;

namespace Lethe.Tests.Integration;

/// <summary>A guest that floods its console leaves a log at the cap, ending in one marker line.</summary>
[Collection(MachineCollection.Name)]
public sealed partial class ConsoleCapTests(TestImage image)
{
    private const long Cap = 4L << 20;

    [Fact(Timeout = 900_000)]
    public async Task A_console_flood_leaves_a_private_log_at_the_cap_with_one_marker()
    {
        // A quarter MiB past the cap is enough to pass it (the boot's own lines come first); every byte is slow under TCG.
        var result = await LetheProcess.RunAsync(["--debug", "run", "--spec", image.FastSpec, "--", "sudo", "sh", "-c",
            $"head -c {Cap + (256 << 10)} /dev/zero | tr '\\0' x > /dev/ttyS0; echo flooded"], timeout: TimeSpan.FromMinutes(14));
        result.ExitCode.ShouldBe(0, result.ToString());
        result.Stdout.ShouldBe("flooded\n", result.ToString());
        var kept = KeptLog().Match(result.Stderr);
        kept.Success.ShouldBeTrue(result.ToString());
        var log = kept.Groups[1].Value;
        try
        {
            var marker = $"\n[lethe: console log capped at {Cap} bytes; the rest of this boot's console was dropped]\n";
            new FileInfo(log).Length.ShouldBe(Cap + marker.Length);
            File.ReadAllText(log).ShouldEndWith(marker);
            File.GetUnixFileMode(log).ShouldBe(UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
        finally
        {
            File.Delete(log);
        }
    }

    [GeneratedRegex(@"\(kept as (\S+)\)")]
    private static partial Regex KeptLog();
}
