using Lethe.Guest.Boot;
using Lethe.Guest.Native;
using Lethe.Protocol;

namespace Lethe.Guest.Session;

/// <summary>init: systemd: the unit that serves the control channel and powers off through systemd.</summary>
internal static class Agent
{
    public static int Run()
    {
        var timeline = Timeline.Load(SystemdHandover.TimelinePath);
        timeline.Mark("systemd");
        var seed = ProtocolJson.DeserializeSeed(File.ReadAllBytes("/run/lethe/seed.json"))
            ?? throw new InvalidDataException("empty seed");
        var port = Devices.WaitForPort(SeedLayout.ControlPortName, TimeSpan.FromSeconds(20));
        using (var stream = new FileStream(port, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite, 0))
        using (var channel = new ControlChannel(stream, stream))
        {
            timeline.Mark("ready");
            var warnings = File.Exists(SystemdHandover.WarningsPath) ? File.ReadAllLines(SystemdHandover.WarningsPath) : [];
            channel.Send(ControlMessage.Ready(timeline.Phases) with { Warnings = warnings, HostKey = SshServer.Wanted(seed) ? HostKeys.PublicKey() : null });
            new CommandSession(channel, seed).ServeAsync().GetAwaiter().GetResult();
        }
        Libc.sync();
        System.Diagnostics.Process.Start("/usr/bin/systemctl", ["--force", "poweroff"])?.WaitForExit();
        return 0;
    }
}
