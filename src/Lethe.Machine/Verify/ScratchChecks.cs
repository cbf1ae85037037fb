using Lethe.Machine.Scratch;
using Lethe.Machine.Workstation;
using Lethe.Protocol;
using Lethe.Protocol.Boot;

namespace Lethe.Machine.Verify;

/// <summary>
/// lethe verify on a machine with a scratch disk, while it runs: what the guest writes to /scratch is
/// ciphertext on the host, the guest's mapping is a crypt target, and no key material is in the seed
/// or the logs. (That the file is gone after stop is checked by whoever stops the machine.)
/// </summary>
public static class ScratchChecks
{
    private const long MarkerBytes = 64L << 20;

    public static async Task<IReadOnlyList<CheckResult>> RunAsync(MachineFolder folder, MachineStatus status, string token, Func<IReadOnlyList<string>, Task<string>> asRoot)
    {
        if (status.Scratch is not { } hostFile || !File.Exists(hostFile))
            return [new CheckResult("scratch: encrypted disk", false, $"no encrypted scratch disk: {status.Scratch ?? "none attached"}")];
        var marker = $"lethe-scratch-marker-{token}";
        var file = $"{MountPlan.ScratchMountPoint}/.lethe-marker-{token}";
        await asRoot(["sh", "-c", $"yes {marker} | head -c {MarkerBytes} > {file} && sync"]).ConfigureAwait(false);
        var results = new List<CheckResult>(ScratchProof.CheckFile(hostFile, marker));
        await asRoot(["rm", "-f", file]).ConfigureAwait(false);

        var targets = (await asRoot([SeedLayout.AgentPath, "dm-targets", ScratchPlan.MappingName]).ConfigureAwait(false)).Trim();
        results.Add(new CheckResult("scratch: crypt mapping", targets == ScratchPlan.TargetType,
            targets == ScratchPlan.TargetType ? "the guest's /scratch device is a dm-crypt target" : $"the mapping's targets are '{targets}'"));

        var runFolder = Path.GetDirectoryName(status.ConsoleLog ?? "") ?? "";
        var allowed = new[] { status.ImageDigest ?? "" };
        foreach (var (source, path) in new[] { ("seed", Path.Combine(runFolder, "seed.json")), ("console log", status.ConsoleLog ?? ""), ("lethe log", folder.SupervisorLog) })
            results.Add(File.Exists(path)
                ? ScratchProof.NoKeyMaterial(source, await File.ReadAllTextAsync(path).ConfigureAwait(false), allowed)
                : new CheckResult($"no key material: {source}", false, $"{path} is missing"));
        return results;
    }
}
