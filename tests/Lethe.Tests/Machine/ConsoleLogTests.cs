using Lethe.Machine.Qemu;

namespace Lethe.Tests.Machine;

public sealed class ConsoleLogTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("lethe-console-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact(Timeout = 30_000)]
    public async Task A_flood_stops_at_the_cap_with_one_marker_and_is_read_to_its_end()
    {
        var flood = new MemoryStream(new byte[10_000_000]);
        using var log = new MemoryStream();
        var kept = await ConsoleLog.CopyAsync(flood, log, 1_000_000, TestContext.Current.CancellationToken);
        kept.ShouldBe(1_000_000);
        flood.Position.ShouldBe(flood.Length, "the console is drained, or QEMU would stall on a full pipe");
        var marker = System.Text.Encoding.UTF8.GetBytes(ConsoleLog.Marker(1_000_000));
        log.Length.ShouldBe(1_000_000 + marker.Length);
        log.ToArray()[1_000_000..].ShouldBe(marker);
    }

    [Fact(Timeout = 30_000)]
    public async Task A_console_under_the_cap_is_kept_whole_without_a_marker()
    {
        using var log = new MemoryStream();
        (await ConsoleLog.CopyAsync(new MemoryStream("boot ok\n"u8.ToArray()), log, 100, TestContext.Current.CancellationToken)).ShouldBe(8);
        log.ToArray().ShouldBe("boot ok\n"u8.ToArray());
    }

    [Fact]
    public void The_log_is_created_exclusively_private_and_never_through_a_planted_link()
    {
        var victim = Path.Combine(_folder, "victim");
        File.WriteAllText(victim, "keep");
        File.SetUnixFileMode(victim, (UnixFileMode)0b110_100_100);
        var log = Path.Combine(_folder, "console.log");
        File.CreateSymbolicLink(log, victim);
        Should.Throw<Lethe.Core.LetheException>(() => ConsoleLog.CreateExclusive(log).Dispose());
        File.ReadAllText(victim).ShouldBe("keep");
        File.GetUnixFileMode(victim).ShouldBe((UnixFileMode)0b110_100_100, "never chmodded through the link");

        File.Delete(log);
        using (ConsoleLog.CreateExclusive(log))
        {
        }
        File.GetUnixFileMode(log).ShouldBe((UnixFileMode)0b110_000_000);
        Should.Throw<Lethe.Core.LetheException>(() => ConsoleLog.CreateExclusive(log).Dispose(), "an existing file is never reused");
    }

    [Fact(Timeout = 30_000)]
    public async Task A_machine_whose_console_log_path_holds_a_planted_link_never_starts_and_the_target_is_untouched()
    {
        var victim = Path.Combine(_folder, "victim");
        File.WriteAllText(victim, "keep");
        File.SetUnixFileMode(victim, (UnixFileMode)0b110_000_000);
        var log = Path.Combine(_folder, "console.log");
        File.CreateSymbolicLink(log, victim);
        var launch = new QemuLaunch
        {
            Binary = "/nonexistent/qemu", Accelerator = Lethe.Machine.Accel.Accelerator.Tcg, MemoryMiB = 64, Cpus = 1,
            Kernel = victim, Initramfs = victim, RootImage = victim, ConsoleLog = log,
        };
        await Should.ThrowAsync<Lethe.Core.LetheException>(() => Lethe.Machine.Run.VirtualMachine.StartAsync(launch, account: null));
        File.ReadAllText(victim).ShouldBe("keep");
        File.GetUnixFileMode(victim).ShouldBe((UnixFileMode)0b110_000_000, "the old code chmodded the log 0666 through the link");
    }
}
