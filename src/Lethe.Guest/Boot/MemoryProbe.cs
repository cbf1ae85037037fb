using Lethe.Protocol;

namespace Lethe.Guest.Boot;

/// <summary>The guest's memory in use, for the ready message (lethe bench reports it); null if /proc/meminfo cannot be read.</summary>
internal static class MemoryProbe
{
    public static long? InUseKiB()
    {
        try
        {
            return GuestMemory.InUseKiB(File.ReadAllText("/proc/meminfo"));
        }
        catch (IOException)
        {
            return null;
        }
    }
}
