using Lethe.Machine.Persist;
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

    public static async Task<IReadOnlyList<CheckResult>> RunAsync(MachineFolder folder, MachineStatus status, string token, GuestRoot root, CancellationToken stop)
    {
        if (status.Scratch is not { } hostFile || !File.Exists(hostFile))
            return [new CheckResult("scratch: encrypted disk", false, $"no encrypted scratch disk: {status.Scratch ?? "none attached"}")];
        var marker = $"lethe-scratch-marker-{token}";
        var file = $"{MountPlan.ScratchMountPoint}/.lethe-marker-{token}";
        // As the user, who owns /scratch: root never writes into a user's folder by path.
        await AsUserAsync(folder, $"yes {marker} | head -c {MarkerBytes} > {file} && sync", stop).ConfigureAwait(false);
        var results = new List<CheckResult>(ScratchProof.CheckFile(hostFile, marker));
        await AsUserAsync(folder, $"rm -f {file}", stop).ConfigureAwait(false);

        var targets = (await root.RunAsync([SeedLayout.AgentPath, "dm-targets", ScratchPlan.MappingName], stop).ConfigureAwait(false)).Trim();
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

    private static async Task AsUserAsync(MachineFolder folder, string script, CancellationToken stop)
    {
        using var errors = new MemoryStream();
        var code = await MachineClient.ExecAsync(folder, new ExecRequest { Argv = ["/bin/sh", "-c", script] },
            new Run.RunStreams(Stream.Null, Stream.Null, errors, TextWriter.Null), stop).ConfigureAwait(false);
        if (code != 0)
            throw new Core.LetheException($"verify: writing the scratch marker failed in {folder.Name} (exit {code}): {FileListing.Shown(System.Text.Encoding.UTF8.GetString(errors.ToArray()).Trim())}");
    }
}
