using Lethe.Image.Rootfs;
using Lethe.Machine.Accel;

namespace Lethe.Machine.Host;

/// <summary>
/// What <c>lethe doctor</c> concludes from the host's facts: each thing the host lacks with the one command
/// that fixes it (pure: facts in, findings out).
/// </summary>
public static class HostReadiness
{
    /// <param name="missingPackages">Debian packages whose programs are missing.</param>
    public static IReadOnlyList<HostFinding> Findings(HostFacts accel, UserNamespaceFacts namespaces, IReadOnlyList<string> missingPackages)
    {
        var findings = new List<HostFinding>();
        if (missingPackages.Count > 0)
            findings.Add(new HostFinding($"missing host packages: {string.Join(' ', missingPackages)}", InstallCommand(missingPackages, accel.RunningAsRoot)));
        // A missing uidmap is already named with the other packages.
        findings.AddRange(UserNamespaceReadiness.Findings(missingPackages.Contains("uidmap") ? namespaces with { NewuidmapPresent = true } : namespaces));
        if (KvmAccessFinding(accel) is { } kvm)
            findings.Add(kvm);
        return findings;
    }

    /// <summary>The one line that installs the packages: with sudo and a fresh package list when not root.</summary>
    public static string InstallCommand(IReadOnlyList<string> packages, bool asRoot) =>
        asRoot
            ? $"apt-get update && apt-get install --no-install-recommends {string.Join(' ', packages)}"
            : $"sudo apt-get update && sudo apt-get install --no-install-recommends {string.Join(' ', packages)}";

    /// <summary>Only a gap the user can close: KVM that would boot, behind a group the user is not in. Without it lethe uses TCG.</summary>
    private static HostFinding? KvmAccessFinding(HostFacts accel)
    {
        if (accel.RunningAsRoot || !accel.KvmDeviceExists || accel.KvmAccessible || accel.KvmGroup is null or "root")
            return null;
        if (AccelDecision.KvmProblem(accel) is { } problem && !problem.Contains("not accessible", StringComparison.Ordinal))
            return null;
        return new HostFinding($"/dev/kvm is not accessible to {accel.UserName}, so lethe uses TCG (much slower)",
            $"sudo usermod -aG {accel.KvmGroup} {accel.UserName}, then log in again", Blocks: false);
    }
}
