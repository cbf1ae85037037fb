using System.Text.RegularExpressions;
using Lethe.Core;
using Lethe.Machine.Run;
using Lethe.Machine.Workstation;
using Lethe.Protocol;
using Lethe.Protocol.Boot;

namespace Lethe.Machine.Ssh;

/// <summary>How to start lethe again (for ssh's ProxyCommand): the program and the arguments before the command.</summary>
public sealed record LetheProgram(string Program, IReadOnlyList<string> LeadingArguments);

/// <summary>lethe ssh NAME's own choices on top of the spec's.</summary>
public sealed record SshSessionOptions(bool ForwardAgent, IReadOnlyList<string> SendEnv, IReadOnlyList<string> Command, bool Terminal);

/// <summary>lethe proxy, lethe ssh and lethe ssh-config: reaching a workstation's sshd through its supervisor.</summary>
public static partial class SshAccess
{
    /// <summary>ssh's ProxyCommand: stdin and stdout, byte for byte, to the guest's 127.0.0.1:22, through the
    /// machine's socket (only its owner can connect) and the guest init's relay, run as root.</summary>
    public static Task<int> ProxyAsync(MachineFolder folder, RunStreams streams, CancellationToken stop)
    {
        if (!folder.IsRunning())
            throw new LetheException($"machine {folder.Name} is not running (start it with: lethe up {folder.Name})");
        var relay = new ExecRequest { Argv = [SeedLayout.AgentPath, "relay", SshdConfig.Port.ToString(System.Globalization.CultureInfo.InvariantCulture)], AsRoot = true };
        return MachineClient.ExecAsync(folder, relay, streams, stop);
    }

    /// <summary>Runs the host's ssh into the machine with the terminal inherited; returns ssh's exit status.</summary>
    public static async Task<int> SshAsync(MachineFolder folder, LetheProgram lethe, SshSessionOptions session, CancellationToken stop)
    {
        if (!folder.IsRunning())
            throw new LetheException($"machine {folder.Name} is not running (start it with: lethe up {folder.Name})");
        var profile = SshProfile.Read(folder) ?? throw new LetheException($"machine {folder.Name} runs no sshd (it was started by an older lethe: lethe reboot {folder.Name})");
        foreach (var name in session.SendEnv)
        {
            if (!VariableName().IsMatch(name))
                throw new UsageException($"--send-env: '{name}' is not a variable name");
            if (!profile.SendEnv.Contains(name, StringComparer.Ordinal))
                throw new UsageException($"--send-env {name}: the machine's sshd accepts only the spec's ssh.send_env names ({string.Join(", ", profile.SendEnv)}); add it there and reboot");
        }
        var sendEnv = profile.SendEnv.Union(session.SendEnv, StringComparer.Ordinal).ToList();
        if (sendEnv.FirstOrDefault(name => Environment.GetEnvironmentVariable(name) is null) is { } unset)
            throw new UsageException($"{unset} is to be sent to the machine (send_env) but is not set here");
        var target = await TargetAsync(folder, profile, lethe, stop).ConfigureAwait(false) with
        {
            ForwardAgent = profile.ForwardAgent || session.ForwardAgent,
            SendEnv = sendEnv,
        };
        // ssh reads the values from its environment itself (SendEnv): they are in no argument and no file.
        await using var ssh = await new HostCommand("ssh")
            .WithArguments(SshCommandLine.Arguments(target, session.Command, session.Terminal))
            .WithInheritedStreams(HostStreams.Input | HostStreams.Output | HostStreams.Error)
            .StartAsync().ConfigureAwait(false);
        try
        {
            return await ssh.WaitForExitAsync(stop).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            ssh.Kill();
            return RunSession.InterruptedExitCode;
        }
    }

    /// <summary>A Host block for every machine that has run sshd.</summary>
    public static async Task<string> ConfigAsync(LethePaths paths, LetheProgram lethe, CancellationToken stop)
    {
        var targets = new List<SshTarget>();
        foreach (var folder in MachineFolder.All(paths.Machines))
            if (SshProfile.Read(folder) is { } profile)
                targets.Add(await TargetAsync(folder, profile, lethe, stop).ConfigureAwait(false));
        return SshCommandLine.Config(targets);
    }

    /// <summary>Writes the blocks to lethe's own file (atomically, created exclusively) and returns its path.</summary>
    public static async Task<string> WriteConfigAsync(LethePaths paths, LetheProgram lethe, CancellationToken stop)
    {
        var text = await ConfigAsync(paths, lethe, stop).ConfigureAwait(false);
        PrivateFolder.Ensure(paths.State);
        var path = MachineSshFiles.Config(paths);
        PrivateFiles.ReplaceText(path, text);
        return path;
    }

    private static async Task<SshTarget> TargetAsync(MachineFolder folder, SshProfile profile, LetheProgram lethe, CancellationToken stop) => new(
        folder.Name,
        profile.User,
        MachineSshFiles.KnownHosts(folder),
        SshCommandLine.ShellCommand([lethe.Program, .. lethe.LeadingArguments, "proxy", folder.Name]),
        profile.MachineKey ? MachineSshFiles.MachineKey(folder) : null,
        profile.ForwardAgent,
        profile.SendEnv,
        profile.ForwardGpgAgent ? await GpgExtraSocketAsync(stop).ConfigureAwait(false) : null,
        profile.Uid);

    private static async Task<string> GpgExtraSocketAsync(CancellationToken stop)
    {
        var result = await new HostCommand("gpgconf").WithArguments("--list-dirs", "agent-extra-socket")
            .WithTimeout(TimeSpan.FromSeconds(30)).ExecuteAsync(stop).ConfigureAwait(false);
        var socket = result.Stdout.Trim();
        return result.ExitCode == 0 && socket.StartsWith('/') && !socket.Contains('\n')
            ? socket
            : throw new HostException("gpg.forward_agent is on, but gpgconf --list-dirs agent-extra-socket names no socket (is gpg installed?)");
    }

    [GeneratedRegex(@"\A[A-Za-z_][A-Za-z0-9_]{0,127}\z")]
    private static partial Regex VariableName();
}
