using Lethe.Guest.Native;
using Lethe.Protocol;

namespace Lethe.Guest.Boot;

/// <summary>A one-shot machine's identity: its hostname, a fresh machine-id, and a working loopback.</summary>
internal static class Identity
{
    public static void Apply(GuestSeed seed)
    {
        Libc.SetHostname(seed.Hostname);
        File.WriteAllText("/etc/hostname", seed.Hostname + "\n");
        File.WriteAllText("/etc/hosts", $"127.0.0.1\tlocalhost\n127.0.1.1\t{seed.Hostname}\n::1\tlocalhost ip6-localhost ip6-loopback\n");
        File.WriteAllText("/etc/machine-id", Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16)) + "\n");
        try
        {
            Loopback.Up();
        }
        catch (IOException e)
        {
            Console.Error.WriteLine($"lethe-init: loopback: {e.Message}");
        }
    }
}
