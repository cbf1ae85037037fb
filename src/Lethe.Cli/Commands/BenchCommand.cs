using System.CommandLine;
using System.Text.Json;
using Lethe.Core;
using Lethe.Machine.Bench;
using Lethe.Spec;

namespace Lethe.Cli.Commands;

/// <summary>lethe bench scratch: measured figures, medians of several runs; never timed in tests.</summary>
public static class BenchCommand
{
    public static Command Create(CliConsole console)
    {
        var bench = new Command("bench", "Measure lethe on this host (medians of several runs)");
        bench.Subcommands.Add(Scratch(console));
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
}
