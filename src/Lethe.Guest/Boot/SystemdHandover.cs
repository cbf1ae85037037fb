using Lethe.Guest.Native;
using Lethe.Protocol;

namespace Lethe.Guest.Boot;

/// <summary>
/// init: systemd. A copy of this program becomes a unit ("agent") that serves the control channel,
/// and PID 1 is handed to systemd.
/// </summary>
internal static class SystemdHandover
{
    /// <summary>Copies this program into the new root, for the agent and for lethe's probes.</summary>
    public static void CopyInit(string newRoot)
    {
        var agent = newRoot + SeedLayout.AgentPath;
        Directory.CreateDirectory(Path.GetDirectoryName(agent)!);
        File.Copy("/" + SeedLayout.InitPath, agent, overwrite: true);
        File.SetUnixFileMode(agent, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }

    public static void InstallAgent(string newRoot, GuestSeed seed)
    {
        var unitDir = newRoot + "/etc/systemd/system";
        File.WriteAllText(Path.Combine(unitDir, SeedLayout.AgentUnitName), AgentUnit());
        var wants = Path.Combine(unitDir, "multi-user.target.wants");
        Directory.CreateDirectory(wants);
        var link = Path.Combine(wants, SeedLayout.AgentUnitName);
        if (!File.Exists(link))
            File.CreateSymbolicLink(link, "/etc/systemd/system/" + SeedLayout.AgentUnitName);
        // The seed is needed after the initramfs is gone (root only: the agent reads it).
        File.WriteAllBytes(newRoot + "/run/lethe/seed.json", ProtocolJson.Serialize(seed));
    }

    public const string TimelinePath = "/run/lethe/boot-timeline";
    public const string WarningsPath = "/run/lethe/boot-warnings";

    public static string AgentUnit() =>
        $"""
        [Unit]
        Description=lethe control agent
        After=basic.target
        [Service]
        Type=simple
        ExecStart={SeedLayout.AgentPath} agent
        StandardOutput=journal+console
        StandardError=journal+console
        """;

    public static void Exec() => Libc.Exec("/sbin/init", ["/sbin/init"]);
}
