using Lethe.Core;
using Lethe.Machine.Workstation;
using Lethe.Protocol;
using Lethe.Spec;

namespace Lethe.Machine.Ssh;

/// <summary>A workstation's SSH at boot: the client keys for its seed before, the host key pinned after.</summary>
public static class SshBoot
{
    /// <summary>The public keys for the seed, and the profile lethe ssh reads, for this boot's spec.</summary>
    public static async Task<IReadOnlyList<string>> PrepareAsync(MachineSpec spec, MachineFolder folder, CancellationToken stop)
    {
        folder.Create();
        var keys = await ClientKeys.ResolveAsync(spec.Ssh, folder, HostHome(), stop).ConfigureAwait(false);
        new SshProfile
        {
            User = spec.User.Name,
            Uid = spec.User.Uid,
            MachineKey = spec.Ssh.UsesMachineKey,
            ForwardAgent = spec.Ssh.ForwardAgent,
            SendEnv = spec.Ssh.SendEnv,
            ForwardGpgAgent = spec.Gpg.ForwardAgent,
        }.Write(folder);
        return keys;
    }

    public static string HostHome() =>
        Environment.GetEnvironmentVariable("HOME") is { Length: > 0 } home ? home : Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);

    /// <summary>
    /// Pins the host key the guest reported in the machine's known_hosts. A workstation that keeps its
    /// identity and shows another key than the pinned one is refused: the caller powers it off.
    /// Returns a warning line, or null.
    /// </summary>
    public static string? PinHostKey(MachineFolder folder, string? reported, bool keepIdentity)
    {
        var knownHosts = MachineSshFiles.KnownHosts(folder);
        if (reported is null)
            return "the machine reported no SSH host key: lethe ssh will not reach it";
        var key = SshPublicKeys.ParseHostKey(reported, out var problem)
            ?? throw new LetheException($"the machine reported an SSH host key lethe refuses ({problem}); it was powered off");
        var alias = MachineSshFiles.Alias(folder.Name);
        var existing = File.Exists(knownHosts) ? File.ReadAllText(knownHosts) : null;
        switch (HostKeyPinning.Decide(existing, key, alias, keepIdentity))
        {
            case PinDecision.Changed:
                throw new LetheException(
                    $"the SSH host key of {folder.Name} changed, but the machine keeps its identity: it was powered off. " +
                    $"The pinned key is in {knownHosts}; if the change is expected (its persist disk was replaced), delete that file and start it again");
            case PinDecision.Pin or PinDecision.Replace:
                PrivateFiles.ReplaceText(knownHosts, HostKeyPinning.Line(alias, key));
                break;
        }
        return null;
    }
}
