using Lethe.Machine.Seed;
using Lethe.Protocol;
using Lethe.Spec;

namespace Lethe.Machine.Export.Disk;

/// <summary>
/// Pure: the seed baked into an exported disk. A workstation's (allowlist, kept identity unless the spec says
/// fresh, sshd), but with systemd as PID 1 and sshd on the network, since no lethe serves it. Public keys only;
/// no entropy and no clock (the guest takes both from its own kernel), so nothing in it is secret or per-boot.
/// </summary>
public static class StandaloneSeed
{
    public static GuestSeed For(MachineSpec spec, string machineName, IReadOnlyList<string> authorizedKeys)
    {
        var home = $"/home/{spec.User.Name}";
        return new GuestSeed
        {
            Hostname = machineName,
            User = new GuestUser(spec.User.Name, spec.User.Uid, spec.User.Uid, home, "/bin/bash"),
            Init = InitMode.Systemd,
            Environment = spec.Env,
            MemoryMiB = spec.Resources.MemoryMiB,
            KeepIdentity = spec.Identity == IdentityMode.Keep,
            Persist = [.. spec.Persist.Paths.Select(path => SeedBuilder.PathFor(path, home))],
            Ssh = new SshSeed(authorizedKeys, spec.Ssh.SendEnv, ListenOnNetwork: true),
        };
    }
}
