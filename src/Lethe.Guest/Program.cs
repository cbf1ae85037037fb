using Lethe.Guest.Boot;
using Lethe.Guest.Confine;
using Lethe.Guest.Native;
using Lethe.Guest.Session;
using Lethe.Protocol.Boot;

namespace Lethe.Guest;

internal static class Program
{
    public static int Main(string[] args)
    {
        if (Libc.getpid() == 1)
            return FirstProcess.Run();
        if (args is ["agent"])
            return Agent.Run();
        if (args is [StepJson.Verb])
            return StepVerb.Run();
        if (args is ["confine", "--", .. var command])
            return ConfineCommand.Run(command);
        if (args is ["relay", var port])
            return Relay.Run(port);
        if (args is [StandalonePlan.PowerButtonVerb])
            return PowerButton.Run();
        if (args is ["dm-targets", var mapping])
            return Probes.DeviceMapperTargets(mapping);
        Console.Error.WriteLine("lethe-init: this is the init of a lethe machine; it runs as PID 1 or as the systemd agent (lethe-init agent).");
        return 2;
    }
}
