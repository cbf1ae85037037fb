using Lethe.Core;
using Lethe.Machine.Workstation;
using Lethe.Protocol;

namespace Lethe.Machine.Persist;

/// <summary>A kept path and the size of its copy on the persist disk (null when it is not there yet).</summary>
public sealed record KeptPath(string Path, long? Bytes);

/// <summary>What persist gc found, and what it deleted when asked to.</summary>
public sealed record GcReport(IReadOnlyList<PersistGc.Orphan> Orphans, IReadOnlyList<string> Refused, bool Deleted, IReadOnlyList<string> Failures);

/// <summary>
/// lethe persist ls | diff | gc against a running machine: looks inside it as root and returns data.
/// <paramref name="bootAllowlist"/> is what the current boot keeps (the supervisor's record);
/// <paramref name="specAllowlist"/> is what the spec keeps now, which gc compares the disk against.
/// </summary>
public sealed class PersistInspection(MachineFolder folder, IReadOnlyList<string> bootAllowlist, IReadOnlyList<string> specAllowlist)
{
    private readonly GuestRoot _root = new(folder);

    public async Task<IReadOnlyList<KeptPath>> ListAsync(CancellationToken stop)
    {
        // du counts without following links (-P is its default); one line per path, '-' when missing.
        const string script = "for p; do if [ -e \"/persist/data$p\" ] || [ -L \"/persist/data$p\" ]; then /usr/bin/du -sbP -- \"/persist/data$p\" | /usr/bin/cut -f1; else echo -; fi; done";
        var output = await _root.RunAsync([GuestRoot.Shell, "-c", script, "sh", .. bootAllowlist], stop).ConfigureAwait(false);
        var sizes = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        return bootAllowlist.Select((path, i) => new KeptPath(path,
            i < sizes.Length && long.TryParse(sizes[i], System.Globalization.CultureInfo.InvariantCulture, out var bytes) ? bytes : null)).ToList();
    }

    public async Task<IReadOnlyList<PersistDiff.Group>> DiffAsync(CancellationToken stop)
    {
        var scanned = PersistDiff.Layers.Select(l => l.Scanned).ToList();
        var output = await _root.RunAsync([GuestRoot.Find, "-P", .. scanned, "-xdev", "-mindepth", "1", "-printf", FileListing.FindFormat], stop).ConfigureAwait(false);
        return PersistDiff.Summarize(FileListing.Parse(output), bootAllowlist);
    }

    public async Task<GcReport> GcAsync(bool delete, CancellationToken stop)
    {
        var output = await _root.RunAsync([GuestRoot.Find, "-P", SeedLayout.PersistData, "-xdev", "-mindepth", "1", "-printf", FileListing.FindFormat], stop).ConfigureAwait(false);
        var found = PersistGc.Find(FileListing.Parse(output), specAllowlist);
        if (!delete || found.Orphans.Count == 0)
            return new GcReport(found.Orphans, found.Refused, false, []);
        var outcomes = await _root.StepsAsync(PersistGc.Removal(found.Orphans), stop).ConfigureAwait(false);
        var failures = found.Orphans.Zip(outcomes).Where(p => !p.Second.Ok).Select(p => $"{p.First.Path}: {p.Second.Error}").ToList();
        return new GcReport(found.Orphans, found.Refused, true, failures);
    }

    /// <summary>The allowlist a spec keeps, as guest paths.</summary>
    public static IReadOnlyList<string> Allowlist(Spec.MachineSpec spec) =>
        spec.Persist.Paths.Select(p => p.GuestPath($"/home/{spec.User.Name}")).ToList();

    public static PersistInspection For(MachineFolder folder, Spec.MachineSpec spec)
    {
        if (!folder.IsRunning())
            throw new LetheException($"machine {folder.Name} is not running; persist commands look inside it (lethe up {folder.Name})");
        var specAllowlist = Allowlist(spec);
        return new PersistInspection(folder, folder.ReadStatus()?.Allowlist ?? specAllowlist, specAllowlist);
    }
}
