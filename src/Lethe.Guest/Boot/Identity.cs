using Lethe.Guest.Native;
using Lethe.Protocol;
using Lethe.Protocol.Boot;

namespace Lethe.Guest.Boot;

/// <summary>
/// The machine's identity: its hostname, a machine-id and SSH host keys, and a working loopback.
/// A machine that keeps its identity (and has a persist disk) gets the machine-id and host keys saved
/// at its first boot; any other gets fresh ones at every boot.
/// </summary>
internal static class Identity
{
    private static readonly string SavedMachineId = SeedLayout.PersistIdentity + "/machine-id";

    public static void Apply(GuestSeed seed, bool persistMounted)
    {
        var keep = seed.KeepIdentity && persistMounted;
        Libc.SetHostname(seed.Hostname);
        File.WriteAllText("/etc/hostname", seed.Hostname + "\n");
        File.WriteAllText("/etc/hosts", $"127.0.0.1\tlocalhost\n127.0.1.1\t{seed.Hostname}\n::1\tlocalhost ip6-localhost ip6-loopback\n");
        File.WriteAllText("/etc/machine-id", MachineIdFor(keep) + "\n");
        HostKeys.Apply(keep, SshServer.Wanted(seed));
        try
        {
            Loopback.Up();
        }
        catch (IOException e)
        {
            Console.Error.WriteLine($"lethe-init: loopback: {e.Message}");
        }
    }

    private static string MachineIdFor(bool keep)
    {
        if (keep && File.Exists(SavedMachineId) && MachineId.Parse(File.ReadAllText(SavedMachineId)) is { } saved)
            return saved;
        var id = MachineId.New();
        if (keep)
        {
            var temporary = SavedMachineId + ".new";
            File.WriteAllText(temporary, id + "\n");
            File.Move(temporary, SavedMachineId, overwrite: true);
            Libc.sync();
        }
        return id;
    }
}
