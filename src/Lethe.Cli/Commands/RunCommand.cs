using System.CommandLine;
using Lethe.Cli.Host;
using Lethe.Core;
using Lethe.Machine.Accel;
using Lethe.Machine.Run;
using Lethe.Protocol;
using Lethe.Spec;

namespace Lethe.Cli.Commands;

/// <summary>lethe run [-- CMD...]: a fresh machine for one command (or an interactive shell), then gone.</summary>
public static class RunCommand
{
    public static Command Create(CliConsole console)
    {
        var spec = SpecInput.CreateOption();
        var accel = new Option<AccelMode?>("--accel") { Description = "auto (default: KVM when it works, else TCG), kvm or tcg" };
        var memory = new Option<int?>("--memory") { Description = "Memory in MiB (overrides the spec)" };
        var cpus = new Option<int?>("--cpus") { Description = "Virtual CPUs (overrides the spec)" };
        var command = new Argument<string[]>("command") { Arity = ArgumentArity.ZeroOrMore, Description = "The command to run (after --); none: an interactive shell" };
        var run = new Command("run", "Run a command in a fresh, disposable machine") { spec, accel, memory, cpus, command };
        run.SetAction(async (parse, stop) =>
        {
            var argv = parse.GetValue(command) ?? [];
            if (argv.Length > 0 && !parse.Tokens.Any(t => t.Type == System.CommandLine.Parsing.TokenType.DoubleDash))
                throw new UsageException($"unexpected '{argv[0]}': put the command after --, as in: lethe run -- {string.Join(' ', argv)}");
            var loaded = SpecInput.Load(parse.GetValue(spec), console);
            var memoryMiB = parse.GetValue(memory) ?? loaded.Resources.MemoryMiB;
            var cpuCount = parse.GetValue(cpus) ?? loaded.Resources.Cpus;
            if (memoryMiB is < 256 or > 65536)
                throw new UsageException("--memory: expected 256..65536 MiB");
            if (cpuCount is < 1 or > 64)
                throw new UsageException("--cpus: expected 1..64");
            var debug = parse.GetValue(LetheApp.DebugOption);
            var decision = await DecideAccelAsync(parse.GetValue(accel) ?? loaded.Accel, console).ConfigureAwait(false);
            HostTools.Require("run");
            var image = await ImageInput.GetAsync(loaded, console, debug, stop).ConfigureAwait(false);

            var tty = argv.Length == 0 && console.StdinIsTerminal && console.StdoutIsTerminal;
            var (rows, columns) = tty ? Terminal.Size() : (0, 0);
            var exec = new ExecRequest { Argv = argv, Tty = tty, Rows = rows, Columns = columns, Term = tty ? Environment.GetEnvironmentVariable("TERM") : null };
            var boot = new BootRequest { Spec = loaded, Image = image, Accel = decision, MemoryMiB = memoryMiB, Cpus = cpuCount, Debug = debug };
            var streams = new RunStreams(console.Stdin, console.Stdout, console.Stderr, console.Error);
            using var raw = tty ? Terminal.EnterRaw() : null;
            return await new RunSession(LethePaths.FromEnvironment()).RunAsync(boot, exec, streams, stop).ConfigureAwait(false);
        });
        return run;
    }

    /// <summary>Prints the one-line note when auto falls back to TCG; fails with exit 3 when KVM was demanded and cannot work.</summary>
    public static async Task<AccelDecision> DecideAccelAsync(AccelMode requested, CliConsole console)
    {
        var decision = AccelDecision.Decide(requested, await HostFacts.ReadAsync().ConfigureAwait(false));
        if (decision.Refusal is { } refusal)
            throw new HostException(refusal);
        if (decision.Note is { } note)
            console.Error.WriteLine(note);
        return decision;
    }
}
