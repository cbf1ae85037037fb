using Lethe.Spec;

namespace Lethe.Machine.Accel;

public enum Accelerator { Kvm, Tcg }

/// <summary>
/// Which accelerator a run uses and why. <see cref="Note"/> is the one line printed when auto falls back;
/// <see cref="Refusal"/> is set when the user demanded KVM and it cannot work (exit 3).
/// </summary>
public sealed record AccelDecision(Accelerator Accelerator, string Reason, string? Note = null, string? Refusal = null)
{
    /// <summary>KVM vendor modules that cannot boot a stock kernel: kvm_pvm is the paravirtualized-nested
    /// KVM of some cloud VMs; QEMU opens it, firmware runs, and Linux hangs after decompression.</summary>
    public static readonly IReadOnlySet<string> UnbootableKvmModules = new HashSet<string> { "kvm_pvm" };

    public static AccelDecision Decide(AccelMode requested, HostFacts facts)
    {
        var kvmProblem = KvmProblem(facts);
        return requested switch
        {
            AccelMode.Tcg => new AccelDecision(Accelerator.Tcg, "tcg requested"),
            AccelMode.Kvm when kvmProblem is null => new AccelDecision(Accelerator.Kvm, "kvm requested and usable"),
            AccelMode.Kvm => new AccelDecision(Accelerator.Tcg, kvmProblem!, Refusal: $"--accel kvm: {kvmProblem}"),
            _ when kvmProblem is null => new AccelDecision(Accelerator.Kvm, "kvm usable"),
            _ => new AccelDecision(Accelerator.Tcg, kvmProblem!, Note: $"lethe: using TCG (software emulation, slower): {kvmProblem}"),
        };
    }

    /// <summary>Why KVM cannot be used here, or null when it can.</summary>
    public static string? KvmProblem(HostFacts facts)
    {
        if (!facts.KvmDeviceExists)
            return "/dev/kvm does not exist (no hardware virtualization, or the kvm module is not loaded)";
        var unbootable = facts.KvmModules.FirstOrDefault(UnbootableKvmModules.Contains);
        if (unbootable is not null)
            return $"the host's KVM is {unbootable} (paravirtualized nested KVM), which cannot boot a stock Linux kernel";
        if (!facts.KvmAccessible)
            return facts.RunningAsRoot
                ? "/dev/kvm is only usable by root, and lethe never runs QEMU as root (give /dev/kvm to the kvm group, mode 0660)"
                : "/dev/kvm is not accessible to this user (add the user to the kvm group)";
        return null;
    }
}
