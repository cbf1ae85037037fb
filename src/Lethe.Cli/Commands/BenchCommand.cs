using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Serialization;
using Lethe.Core;
using Lethe.Machine.Bench;
using Lethe.Spec;

namespace Lethe.Cli.Commands;

/// <summary>lethe bench (boot), lethe bench scratch and lethe bench net: measured figures, medians of several runs; never timed in tests.</summary>
public static class BenchCommand
{
    public static Command Create(CliConsole console)
    {
        // Bare, bench measures boots (as bench boot does).
        var bench = BenchBootCommand.Configure(new Command("bench", "Measure lethe on this host (medians of several runs); bare: as bench boot"), console);
        bench.Subcommands.Add(BenchBootCommand.Configure(new Command("boot", "lethe's boot to a command against a conventional Debian boot and the floor, interleaved"), console));
        bench.Subcommands.Add(Scratch(console));
        bench.Subcommands.Add(Net(console));
        bench.Subcommands.Add(BenchShareCommand.Create(console));
        return bench;
    }

    private static Command Scratch(CliConsole console)
    {
        var spec = SpecInput.CreateOption();
        var runs = new Option<int>("--runs") { Description = "Boots to measure (default 3)", DefaultValueFactory = _ => 3 };
        var json = new Option<bool>("--json") { Description = "Machine-readable output" };
        var machine = new MachineOptions();
        var scratch = new Command("scratch", "Plain dm-crypt scratch set-up against LUKS2 luksFormat + open, in the same guest") { spec, runs, json };
        machine.AddTo(scratch);
        scratch.SetAction(async (parse, stop) =>
        {
            var count = parse.GetValue(runs);
            if (count is < 1 or > 50)
                throw new UsageException("--runs: expected 1..50");
            var loaded = SpecInput.Load(parse.GetValue(spec), console);
            // The same machine plus cryptsetup, which the LUKS side needs; a scratch disk if none is set.
            var benchSpec = loaded with
            {
                Image = loaded.Image with { Packages = [.. loaded.Image.Packages.Where(p => !p.StartsWith("cryptsetup-bin", StringComparison.Ordinal)), "cryptsetup-bin"] },
                Scratch = loaded.Scratch ?? new ScratchSpec(1024),
            };
            var boot = await machine.BootRequestAsync(parse, benchSpec, loaded.Name + "-bench", console, parse.GetValue(LetheApp.DebugOption), stop).ConfigureAwait(false);
            var bench = new ScratchBench(LethePaths.FromEnvironment());
            var samples = new List<ScratchBench.Sample>();
            for (var i = 0; i < count; i++)
            {
                var sample = await bench.MeasureOnceAsync(boot, stop).ConfigureAwait(false);
                samples.Add(sample);
                console.Error.WriteLine($"lethe: run {i + 1}/{count}: plain scratch set-up {sample.PlainMs} ms, LUKS2 luksFormat + open {sample.LuksMs} ms");
            }
            var plain = ScratchBench.Median(samples.Select(s => s.PlainMs));
            var luks = ScratchBench.Median(samples.Select(s => s.LuksMs));
            if (parse.GetValue(json))
                console.Out.WriteLine(JsonSerializer.Serialize(new { runs = count, accelerator = boot.Accel.Accelerator.ToString().ToLowerInvariant(), plainMedianMs = plain, luksMedianMs = luks, samples },
                    new JsonSerializerOptions { PropertyNamingPolicy = JsonNamingPolicy.CamelCase, WriteIndented = true }));
            else
                console.Out.WriteLine($"scratch set-up, median of {count} ({boot.Accel.Accelerator.ToString().ToLowerInvariant()}): plain dm-crypt key + map + mkfs + mount {plain:0} ms; " +
                    $"LUKS2 luksFormat + open {luks:0} ms (before its mkfs); plain costs {plain / Math.Max(1, luks):P0} of LUKS");
            return ExitCodes.Success;
        });
        return scratch;
    }

    private static Command Net(CliConsole console)
    {
        var spec = SpecInput.CreateOption();
        var runs = new Option<int>("--runs") { Description = "Boots to measure on each backend (default 3)", DefaultValueFactory = _ => 3 };
        var size = new Option<int>("--size") { Description = "MiB to send each way (default 256)", DefaultValueFactory = _ => 256 };
        var connections = new Option<int>("--connections") { Description = "Sequential connects to time (default 100)", DefaultValueFactory = _ => 100 };
        var json = new Option<bool>("--json") { Description = "Machine-readable output" };
        var machine = new MachineOptions();
        var net = new Command("net", "Throughput and connection set-up through lethe's gateway against QEMU's user networking, on the same guest") { spec, runs, size, connections, json };
        machine.AddTo(net);
        net.SetAction(async (parse, stop) =>
        {
            var count = parse.GetValue(runs);
            if (count is < 1 or > 50)
                throw new UsageException("--runs: expected 1..50");
            var mib = parse.GetValue(size);
            if (mib is < 1 or > 4096)
                throw new UsageException("--size: expected 1..4096 (MiB)");
            var connects = parse.GetValue(connections);
            if (connects is < 1 or > 10000)
                throw new UsageException("--connections: expected 1..10000");
            var loaded = SpecInput.Load(parse.GetValue(spec), console);
            var boot = await machine.BootRequestAsync(parse, NetBench.ForBench(loaded), loaded.Name + "-bench", console, parse.GetValue(LetheApp.DebugOption), stop).ConfigureAwait(false);
            var bench = new NetBench(LethePaths.FromEnvironment());
            var samples = new List<NetBench.Sample>();
            await using (var servers = new NetBenchServers(mib * 1024L * 1024))
            {
                var schedule = NetBench.Schedule(count);
                for (var i = 0; i < schedule.Count; i++)
                {
                    var sample = await bench.MeasureOnceAsync(boot, schedule[i], servers, connects, stop).ConfigureAwait(false);
                    samples.Add(sample);
                    console.Error.WriteLine($"lethe: boot {i + 1}/{schedule.Count}, {NetBench.Describe(sample.Backend)}: " +
                        $"up {sample.UploadMBps:0.0} MB/s, down {sample.DownloadMBps:0.0} MB/s, connect {sample.ConnectMs:0.00} ms");
                }
            }
            var gateway = NetBench.MediansOf(samples.Where(s => s.Backend == NetBackend.Gateway));
            var user = NetBench.MediansOf(samples.Where(s => s.Backend == NetBackend.QemuUser));
            var ratios = NetBench.RatiosOf(gateway, user);
            var accelerator = boot.Accel.Accelerator.ToString().ToLowerInvariant();
            if (parse.GetValue(json))
                console.Out.WriteLine(JsonSerializer.Serialize(new { runs = count, accelerator, sizeMiB = mib, connections = connects, gateway, qemuUser = user, gatewayOverQemuUser = ratios, samples },
                    new JsonSerializerOptions { PropertyNamingPolicy = JsonNamingPolicy.CamelCase, WriteIndented = true, Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) } }));
            else
            {
                console.Out.WriteLine($"network, median of {count} boots each ({accelerator}; {mib} MiB each way, {connects} connects; MB = 10^6 bytes):");
                console.Out.WriteLine($"  lethe's gateway:      up {gateway.UploadMBps,7:0.0} MB/s, down {gateway.DownloadMBps,7:0.0} MB/s, connect {gateway.ConnectMs,6:0.00} ms");
                console.Out.WriteLine($"  QEMU user networking: up {user.UploadMBps,7:0.0} MB/s, down {user.DownloadMBps,7:0.0} MB/s, connect {user.ConnectMs,6:0.00} ms");
                console.Out.WriteLine($"  gateway / QEMU user:  up {ratios.Upload:P0}, down {ratios.Download:P0} of its throughput (target 80 %); connect time {ratios.ConnectTime:P0} of its");
            }
            return ExitCodes.Success;
        });
        return net;
    }
}
