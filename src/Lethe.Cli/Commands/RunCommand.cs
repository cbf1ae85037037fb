using System.CommandLine;
using Lethe.Cli.Host;
using Lethe.Core;
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
        var allowOutside = SpecInput.CreateAllowOutsideOption();
        var machine = new MachineOptions();
        var sendEnv = SendEnvInput.CreateOption();
        var agents = new AgentOptions();
        var warm = new Option<bool>("--warm") { Description = "Restore a snapshot taken where the machine asks for its seed (taken by the first such run); every restore gets its own fresh seed" };
        var command = new Argument<string[]>("command") { Arity = ArgumentArity.ZeroOrMore, Description = "The command to run (after --); none: an interactive shell" };
        var run = new Command("run", "Run a command in a fresh, disposable machine that sees only the current folder") { spec, allowOutside, sendEnv, warm, command };
        machine.AddTo(run);
        agents.AddTo(run);
        run.SetAction(async (parse, stop) =>
        {
            var argv = parse.GetValue(command) ?? [];
            if (argv.Length > 0 && !parse.Tokens.Any(t => t.Type == System.CommandLine.Parsing.TokenType.DoubleDash))
                throw new UsageException($"unexpected '{argv[0]}': put the command after --, as in: lethe run -- {string.Join(' ', argv)}");
            var loaded = SpecInput.Load(parse.GetValue(spec), console, parse.GetValue(allowOutside));
            var debug = parse.GetValue(LetheApp.DebugOption);
            // Before anything is built or booted: an unset variable is a usage error.
            var variables = SendEnvInput.Values(loaded.Ssh.SendEnv, parse, sendEnv);
            // A one-shot run shares the current folder read-write at /work and starts there, unless the spec says otherwise.
            var input = machine.Input(parse, loaded, loaded.Name, debug) with { OneShotFolder = console.CurrentDirectory };
            var forwarded = await agents.FindAsync(parse, loaded, stop).ConfigureAwait(false);
            // lethe bench's hidden timing report; null (nothing recorded) unless its variable is set.
            var timings = Lethe.Machine.Bench.BootTimings.FromEnvironment(CliStart.Timestamp);
            var boot = await MachineOptions.PrepareAsync(input, console, stop).ConfigureAwait(false);
            if (parse.GetValue(warm))
                boot = boot with { Warm = true };
            timings?.ImageReady();

            var exec = Exec(argv, console, boot.Shares ? boot.Workspace!.At : null) with { Environment = variables };
            var streams = new RunStreams(console.Stdin, console.Stdout, console.Stderr, console.Error);
            using var raw = exec.Tty ? Terminal.EnterRaw() : null;
            return await new RunSession(LethePaths.FromEnvironment()).RunAsync(boot, exec, streams, stop, raw?.Resizes, forwarded, timings).ConfigureAwait(false);
        });
        return run;
    }

    /// <summary>No command and a terminal on both ends: an interactive login shell with the caller's terminal size.</summary>
    public static ExecRequest Exec(IReadOnlyList<string> argv, CliConsole console, string? workingDirectory)
    {
        var tty = argv.Count == 0 && console.StdinIsTerminal && console.StdoutIsTerminal;
        var (rows, columns) = tty ? Terminal.Size() : (0, 0);
        return new ExecRequest
        {
            Argv = argv, Tty = tty, Rows = rows, Columns = columns, WorkingDirectory = workingDirectory,
            Term = tty ? Environment.GetEnvironmentVariable("TERM") : null,
        };
    }
}
