using Lethe.Core;
using Lethe.Machine.Workstation;

namespace Lethe.Machine.Ssh;

/// <summary>Where a machine's SSH state lives: all in its private machine folder (0700), or lethe's state folder.</summary>
public static class MachineSshFiles
{
    public const string AliasSuffix = ".lethe";

    public static string Alias(string machineName) => machineName + AliasSuffix;

    /// <summary>The pinned host key, one line: "NAME.lethe ssh-ed25519 BASE64".</summary>
    public static string KnownHosts(MachineFolder folder) => Path.Combine(folder.Path, "known_hosts");

    /// <summary>The per-machine client key lethe makes when the spec names no keys (private half 0600).</summary>
    public static string MachineKey(MachineFolder folder) => Path.Combine(folder.Path, "id_ed25519");

    /// <summary>What ssh needs to reach the machine (user, key, forwards), written at each boot.</summary>
    public static string Profile(MachineFolder folder) => Path.Combine(folder.Path, "ssh.json");

    /// <summary>The file lethe ssh-config --write writes, for an Include in ~/.ssh/config.</summary>
    public static string Config(LethePaths paths) => Path.Combine(paths.State, "ssh_config");
}
