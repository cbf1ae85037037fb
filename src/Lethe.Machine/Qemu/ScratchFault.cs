namespace Lethe.Machine.Qemu;

/// <summary>
/// Fault injection for the scratch disk's fail-open path (tests and the curious):
/// LETHE_FAULT_SCRATCH=missing boots without the disk the guest expects, =readonly attaches it
/// read-only so that it cannot be set up. Either way the machine must boot with a tmpfs /scratch.
/// </summary>
public static class ScratchFault
{
    public const string Variable = "LETHE_FAULT_SCRATCH";

    public static QemuLaunch Apply(QemuLaunch launch, string? fault) => fault switch
    {
        "missing" => launch with { ScratchDisk = null },
        "readonly" => launch with { ScratchReadOnly = true },
        _ => launch,
    };
}
