using Lethe.Core;

namespace Lethe.Cli.Host;

/// <summary>Finds the NativeAOT guest init that the launcher publishes beside the CLI.</summary>
public static class GuestInit
{
    public static string Locate()
    {
        var candidates = new[]
        {
            Environment.GetEnvironmentVariable("LETHE_GUEST_INIT"),
            Path.Combine(AppContext.BaseDirectory, "..", "guest", "lethe-init"),
        };
        return candidates.OfType<string>().Where(p => p.Length > 0).Select(Path.GetFullPath).FirstOrDefault(File.Exists)
            ?? throw new LetheException("the guest init (lethe-init) is not built; run lethe through the ./lethe launcher, which builds it");
    }
}
