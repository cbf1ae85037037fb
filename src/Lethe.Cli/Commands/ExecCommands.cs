using System.CommandLine;
using Lethe.Cli.Host;
using Lethe.Core;
using Lethe.Machine.Agents;
using Lethe.Machine.Run;
using Lethe.Machine.Generations;
using Lethe.Machine.Workstation;
using Lethe.Protocol;

namespace Lethe.Cli.Commands;

/// <summary>lethe exec NAME -- CMD and lethe shell NAME: commands in a running machine.</summary>
public static class ExecCommands
{
    public static Command Exec(CliConsole console)
    {
        var spec = SpecInput.CreateOption();
        var sendEnv = SendEnvInput.CreateOption();
        var tokens = new Argument<string[]>("name-and-command") { Arity = ArgumentArity.ZeroOrMore, Description = "[NAME] -- CMD..." };
        var exec = new Command("exec", "Run a command in a running machine: lethe exec [NAME] -- CMD...") { spec, sendEnv, tokens };
        var agents = new AgentOptions();
        agents.AddTo(exec);
        exec.SetAction(async (parse, stop) =>
        {
            // Arguments only: an option's value (--send-env NAME, --spec F) is not a machine name.
            var (_, after) = MachineInput.SplitAtDoubleDash(parse, exec);
            var arguments = parse.GetValue(tokens) ?? [];
            var before = arguments.Take(arguments.Length - after.Count).ToList();
            if (after.Count == 0 || before.Count > 1)
                throw new UsageException("usage: lethe exec [NAME] -- CMD...");
            var folder = MachineInput.Folder(before.FirstOrDefault(), parse.GetValue(spec), console);
            var recorded = AgentOptions.MachineSpecOf(folder, parse.GetValue(spec), console);
            var request = SendEnvInput.With(RunCommand.Exec(after, console, null), recorded?.Ssh.SendEnv ?? [], parse, sendEnv);
            var forwarded = await agents.FindAsync(parse, recorded, stop).ConfigureAwait(false);
            return await RunInAsync(folder, request, console, stop, forwarded).ConfigureAwait(false);
        });
        return exec;
    }

    public static Command Shell(CliConsole console)
    {
        var spec = SpecInput.CreateOption();
        var sendEnv = SendEnvInput.CreateOption();
        var name = MachineInput.CreateNameArgument();
        var shell = new Command("shell", "An interactive login shell in a running machine") { spec, sendEnv, name };
        var agents = new AgentOptions();
        agents.AddTo(shell);
        shell.SetAction(async (parse, stop) =>
        {
            var folder = MachineInput.Folder(parse.GetValue(name), parse.GetValue(spec), console);
            var recorded = AgentOptions.MachineSpecOf(folder, parse.GetValue(spec), console);
            var request = SendEnvInput.With(RunCommand.Exec([], console, null), recorded?.Ssh.SendEnv ?? [], parse, sendEnv);
            var forwarded = await agents.FindAsync(parse, recorded, stop).ConfigureAwait(false);
            return await RunInAsync(folder, request, console, stop, forwarded).ConfigureAwait(false);
        });
        return shell;
    }

    private static async Task<int> RunInAsync(MachineFolder folder, ExecRequest exec, CliConsole console, CancellationToken stop, HostAgents? agents)
    {
        if (!folder.IsRunning())
            throw new LetheException($"machine {folder.Name} is not running (start it with: lethe up {folder.Name})");
        if (new GenerationService(folder).Waiting(kernelOnly: true) is { } waiting)
            console.Error.WriteLine($"lethe: {folder.Name}: {waiting}");
        using var raw = exec.Tty ? Terminal.EnterRaw() : null;
        return await MachineClient.ExecAsync(folder, exec, new RunStreams(console.Stdin, console.Stdout, console.Stderr, console.Error), stop, raw?.Resizes, agents).ConfigureAwait(false);
    }
}
