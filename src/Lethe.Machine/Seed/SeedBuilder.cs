using Lethe.Protocol;
using Lethe.Spec;

namespace Lethe.Machine.Seed;

/// <summary>Pure: the non-secret per-run configuration the guest reads from its seed.</summary>
public static class SeedBuilder
{
    public static GuestSeed For(MachineSpec spec, int memoryMiB, bool debug) => new()
    {
        Hostname = spec.Name,
        User = new GuestUser(spec.User.Name, spec.User.Uid, spec.User.Uid, $"/home/{spec.User.Name}", "/bin/bash"),
        Init = spec.Init == InitSystem.Systemd ? InitMode.Systemd : InitMode.Fast,
        Environment = spec.Env,
        MemoryMiB = memoryMiB,
        Debug = debug,
    };
}
