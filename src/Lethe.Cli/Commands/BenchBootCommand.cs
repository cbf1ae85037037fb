using System.CommandLine;
using System.Reflection;
using System.Text.Json;
using Lethe.Core;
using Lethe.Machine.Bench;
using Lethe.Spec;

namespace Lethe.Cli.Commands;

/// <summary>lethe bench [boot]: lethe's boot against the conventional baseline, the floor and a warm start, interleaved; see <see cref="BootBench"/>.</summary>
public static class BenchBootCommand
{
    public const int DefaultRuns = 5;

    /// <summary>Adds the boot bench's options and action to <paramref name="command"/> (bench itself, and bench boot).</summary>
    public static T Configure<T>(T command, CliConsole console) where T : Command
    {
        var spec = SpecInput.CreateOption();
        var runs = new Option<int>("--runs") { Description = $"Boots of each kind (default {DefaultRuns})", DefaultValueFactory = _ => DefaultRuns };
        var json = new Option<bool>("--json") { Description = "Every figure, every sample and the host's facts, as JSON" };
        var markdown = new Option<bool>("--markdown") { Description = "The README's table, headed by the command that made it" };
        var noWarm = new Option<bool>("--no-warm") { Description = "Leave out the warm kind (lethe run --warm, a restore of the warm snapshot)" };
        var machine = new MachineOptions();
        command.Options.Add(spec);
        command.Options.Add(runs);
        command.Options.Add(json);
        command.Options.Add(markdown);
        command.Options.Add(noWarm);
        machine.AddTo(command);
        command.SetAction(async (parse, stop) =>
        {
            var count = parse.GetValue(runs);
            if (count is < 1 or > 50)
                throw new UsageException("--runs: expected 1..50");
            if (parse.GetValue(json) && parse.GetValue(markdown))
                throw new UsageException("--json and --markdown: choose one");
            var specPath = SpecLocator.Locate(parse.GetValue(spec), console.CurrentDirectory) is { } located ? Path.GetFullPath(located) : null;
            var loaded = SpecInput.Load(specPath, console);
            if (BootWarm.ColdKindProblem(loaded) is { } problem)
                throw new UsageException(problem);
            var debug = parse.GetValue(LetheApp.DebugOption);
            // The baseline and the floor have no network device; lethe's own run keeps the spec's.
            var quiet = loaded with { Network = loaded.Network with { Mode = NetworkMode.None } };
            var boot = await machine.BootRequestAsync(parse, quiet, loaded.Name + "-bench", console, debug, stop).ConfigureAwait(false);
            var paths = LethePaths.FromEnvironment();
            var folder = Directory.CreateTempSubdirectory("lethe-bench-").FullName;
            // Passable but not listable: QEMU's account (when lethe is root) must reach the child's workspace
            // (its own 0755 folder inside) to share it, as lethe run shares any folder; the reports inside are 0600.
            File.SetUnixFileMode(folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute);
            try
            {
                var runArguments = new List<string> { "run" };
                if (specPath is not null)
                    runArguments.AddRange(["--spec", specPath]);
                runArguments.AddRange([.. machine.Forward(parse), "--", "true"]);
                var baseline = new BootBaselineKind(paths, boot, console.Error);
                var warm = parse.GetValue(noWarm) ? null : BootLetheKind.Warm(runArguments, folder);
                IReadOnlyList<IBootKind> kinds = [new BootLetheKind(runArguments, folder), baseline, new BootFloorKind(paths, boot), .. warm is null ? [] : new[] { warm }];
                var built = await baseline.EnsureBuiltAsync(stop).ConfigureAwait(false);
                var primed = warm is null ? TimeSpan.Zero : await warm.PrimeAsync(console.Error, stop).ConfigureAwait(false);
                var version = typeof(BenchBootCommand).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";
                var host = await BootHostFacts.ReadAsync(boot.Accel.Accelerator.ToString().ToLowerInvariant(), version, stop).ConfigureAwait(false);
                var samples = await BootBench.MeasureAsync(kinds, count, console.Error, stop).ConfigureAwait(false);
                var result = BootBench.Summarize(CommandLine(), count, boot.MemoryMiB, boot.Cpus, host, kinds, samples, built.TotalSeconds,
                    warmPrimingSeconds: primed.TotalSeconds);
                if (parse.GetValue(json))
                    console.Out.WriteLine(JsonSerializer.Serialize(result, new JsonSerializerOptions { PropertyNamingPolicy = JsonNamingPolicy.CamelCase, WriteIndented = true }));
                else if (parse.GetValue(markdown))
                    console.Out.Write(BootBenchText.Markdown(result));
                else
                    console.Out.Write(BootBenchText.Render(result));
            }
            finally
            {
                SafeDelete.Tree(folder);
            }
            return ExitCodes.Success;
        });
        return command;
    }

    /// <summary>The command as typed (lethe and its arguments), to head the README's table.</summary>
    private static string CommandLine() =>
        string.Join(' ', ["lethe", .. Environment.GetCommandLineArgs().Skip(1).Select(a => a.Any(char.IsWhiteSpace) ? $"'{a}'" : a)]);
}
