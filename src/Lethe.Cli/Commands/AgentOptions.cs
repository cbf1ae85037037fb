using System.CommandLine;
using Lethe.Machine.Agents;
using Lethe.Machine.Workstation;
using Lethe.Spec;

namespace Lethe.Cli.Commands;

/// <summary>--forward-agent and --forward-gpg of run, exec and shell; the spec's ssh.forward_agent and gpg.forward_agent turn them on too.</summary>
public sealed class AgentOptions
{
    public Option<bool> ForwardAgent { get; } = new("--forward-agent")
    {
        Description = "Forward the host's SSH agent ($SSH_AUTH_SOCK) into the session: keys stay on the host (also: spec ssh.forward_agent)",
    };

    public Option<bool> ForwardGpg { get; } = new("--forward-gpg")
    {
        Description = "Forward gpg-agent's extra socket into the session, with the host's public keys imported (also: spec gpg.forward_agent)",
    };

    public void AddTo(Command command)
    {
        command.Options.Add(ForwardAgent);
        command.Options.Add(ForwardGpg);
    }

    /// <summary>The host agents the session forwards, checked before anything starts (exit 3 for one that is not there); null for none.</summary>
    public Task<HostAgents?> FindAsync(ParseResult parse, MachineSpec? spec, CancellationToken stop) =>
        HostAgentLookup.FindAsync(
            parse.GetValue(ForwardAgent) || spec?.Ssh.ForwardAgent == true,
            parse.GetValue(ForwardGpg) || spec?.Gpg.ForwardAgent == true,
            stop);

    /// <summary>
    /// For exec and shell: the spec given with --spec, else the one the running machine was started from
    /// (when it can still be read: a spec file edited or removed since must not stop exec); null for a
    /// machine on the embedded default, which forwards nothing.
    /// </summary>
    public static MachineSpec? MachineSpecOf(MachineFolder folder, string? specOption, CliConsole console)
    {
        if (specOption is not null)
            return SpecInput.Load(specOption, console, allowOutsideSpecFolder: true);
        return folder.ReadStatus()?.SpecPath is { } recorded && File.Exists(recorded)
            && SpecLoader.Load(recorded, allowOutsideSpecFolder: true) is { Ok: true } result ? result.Spec : null;
    }
}
