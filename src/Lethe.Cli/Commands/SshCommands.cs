using System.CommandLine;
using Lethe.Core;
using Lethe.Machine.Run;
using Lethe.Machine.Ssh;

namespace Lethe.Cli.Commands;

/// <summary>lethe ssh, lethe proxy and lethe ssh-config: a workstation's sshd, reached through its supervisor.</summary>
public static class SshCommands
{
    public static Command Ssh(CliConsole console)
    {
        var spec = SpecInput.CreateOption();
        var forwardAgent = new Option<bool>("--forward-agent") { Description = "Forward the host's SSH agent into the session" };
        var sendEnv = new Option<string[]>("--send-env") { Description = "Send this host variable to the session (a name in the spec's ssh.send_env); repeatable", Arity = ArgumentArity.ZeroOrMore };
        var tokens = new Argument<string[]>("name-and-command") { Arity = ArgumentArity.ZeroOrMore, Description = "[NAME] [-- CMD...]" };
        var ssh = new Command("ssh", "Log in to a running machine with the host's ssh, its host key pinned: lethe ssh [NAME] [-- CMD...]") { spec, forwardAgent, sendEnv, tokens };
        ssh.SetAction(async (parse, stop) =>
        {
            var (before, after) = MachineInput.SplitAtDoubleDash(parse, ssh);
            if (before.Count > 1)
                throw new UsageException("usage: lethe ssh [NAME] [--forward-agent] [--send-env NAME]... [-- CMD...]");
            var folder = MachineInput.Folder(before.FirstOrDefault(), parse.GetValue(spec), console);
            var session = new SshSessionOptions(parse.GetValue(forwardAgent), parse.GetValue(sendEnv) ?? [], after, console.StdinIsTerminal && console.StdoutIsTerminal);
            return await SshAccess.SshAsync(folder, Self(), session, stop).ConfigureAwait(false);
        });
        return ssh;
    }

    public static Command Proxy(CliConsole console)
    {
        var name = new Argument<string>("name") { Description = "The machine's name" };
        var proxy = new Command("proxy", "ssh's ProxyCommand: relays stdin and stdout to the machine's sshd (on its loopback)") { name };
        proxy.SetAction(async (parse, stop) =>
        {
            var folder = MachineInput.Folder(parse.GetValue(name), null, console);
            return await SshAccess.ProxyAsync(folder, new RunStreams(console.Stdin, console.Stdout, console.Stderr, console.Error), stop).ConfigureAwait(false);
        });
        return proxy;
    }

    public static Command Config(CliConsole console)
    {
        var write = new Option<bool>("--write") { Description = "Write the blocks to lethe's own file and print the Include line for ~/.ssh/config" };
        var config = new Command("ssh-config", "Prints an ssh Host block (NAME.lethe) for every machine, or writes them to one file to Include") { write };
        config.SetAction(async (parse, stop) =>
        {
            var paths = LethePaths.FromEnvironment();
            if (!parse.GetValue(write))
            {
                await console.Out.WriteAsync(await SshAccess.ConfigAsync(paths, Self(), stop).ConfigureAwait(false)).ConfigureAwait(false);
                return ExitCodes.Success;
            }
            var path = await SshAccess.WriteConfigAsync(paths, Self(), stop).ConfigureAwait(false);
            console.Error.WriteLine($"lethe: wrote {path}; add this line near the top of ~/.ssh/config:");
            console.Out.WriteLine($"Include {SshCommandLine.ConfigWord(path)}");
            return ExitCodes.Success;
        });
        return config;
    }

    /// <summary>This lethe, started again the way it was started now (dotnet and its dll under the launcher).</summary>
    private static LetheProgram Self() => new(Environment.ProcessPath!, [Environment.GetCommandLineArgs()[0]]);
}
