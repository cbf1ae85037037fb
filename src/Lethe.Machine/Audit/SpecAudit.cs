using System.Text;
using Lethe.Core;
using Lethe.Image;
using Lethe.Machine.Accel;
using Lethe.Machine.Run;
using Lethe.Machine.Seed;
using Lethe.Protocol;
using Lethe.Spec;
using Lethe.Spec.Secrets;

namespace Lethe.Machine.Audit;

/// <summary>The outcome of <c>lethe audit</c>: the findings that stand, those the ignore file silenced, the SBOM.</summary>
public sealed record AuditReport(string ImageDigest, IReadOnlyList<SecretFinding> Findings, IReadOnlyList<SecretFinding> Ignored, string SbomPath, string? IgnoreFile);

/// <summary>
/// Everything of a spec that would enter the guest: the image.files sources (named by their host path,
/// judged by their name in the image), the seed a one-shot run of the spec would get (env and staged
/// configs travel in it), and the built image itself. The spec's env is checked already when it is read.
/// </summary>
public sealed class SpecAudit(LethePaths paths, Action<string>? progress = null)
{
    public async Task<AuditReport> AuditAsync(MachineSpec spec, ImageSet image, string? ignoreFile, string workingFolder, CancellationToken cancellationToken)
    {
        var findings = new List<SecretFinding>();
        foreach (var file in spec.Image.Files)
            findings.AddRange(TreeSecretScan.ScanFile(file.Source, file.Destination).Select(f => f with { Path = HostLabel(spec, file.Source) }));
        findings.AddRange(SecretScanner.Scan("seed:/" + SeedLayout.SeedPath, Encoding.UTF8.GetString(SeedArchiveText(spec, image, workingFolder))));
        var scan = await new ImageAudit(paths, progress).ScanAsync(image, cancellationToken).ConfigureAwait(false);
        findings.AddRange(scan.Findings);

        var ignorePath = IgnorePath(spec, ignoreFile);
        if (ignoreFile is not null && !File.Exists(ignorePath))
            throw new UsageException($"--ignore: {ignorePath} does not exist");
        var entries = ReadIgnore(ignorePath);
        var (standing, ignored) = AuditIgnore.Apply(findings, entries);
        return new AuditReport(image.Digest, standing, ignored, scan.SbomPath, ignorePath is not null && File.Exists(ignorePath) ? ignorePath : null);
    }

    /// <summary>For build, run and up: an image with a finding that the ignore file does not silence is refused (exit 1).</summary>
    public async Task RefuseSecretsAsync(MachineSpec spec, ImageSet image, CancellationToken cancellationToken)
    {
        var scan = await new ImageAudit(paths, progress).ScanAsync(image, cancellationToken).ConfigureAwait(false);
        var (standing, _) = AuditIgnore.Apply(scan.Findings, ReadIgnore(IgnorePath(spec, null)));
        if (standing.Count == 0)
            return;
        var shown = string.Join("; ", standing.Take(3).Select(f => $"{SecretFinding.Printable(f.Path)}:{f.Line}: {f.Rule}"));
        throw new LetheException($"the image holds {standing.Count} secret finding{(standing.Count == 1 ? "" : "s")} ({shown}{(standing.Count > 3 ? "; …" : "")}); "
            + $"see lethe audit, silence a false positive in {AuditIgnore.DefaultFileName} with a reason, or pass --allow-secrets");
    }

    /// <summary>The seed exactly as a one-shot run of the spec in <paramref name="workingFolder"/> would carry it.</summary>
    private static byte[] SeedArchiveText(MachineSpec spec, ImageSet image, string workingFolder)
    {
        var input = new BootInput { Spec = spec, Name = spec.Name, OneShotFolder = workingFolder };
        var (memory, cpus) = BootPreparation.Resources(input);
        var request = new BootRequest
        {
            Spec = spec, Image = image, Accel = new AccelDecision(Accelerator.Tcg, "audit"), MemoryMiB = memory, Cpus = cpus,
            Scratch = spec.Scratch, Workspace = BootPreparation.WorkspaceFor(input),
        };
        return ProtocolJson.Serialize(SeedBuilder.For(request));
    }

    private static string HostLabel(MachineSpec spec, string source)
    {
        if (spec.SourcePath is { } specPath && Path.GetDirectoryName(specPath) is { } folder)
        {
            var relative = Path.GetRelativePath(folder, source);
            if (!relative.StartsWith("..", StringComparison.Ordinal) && !Path.IsPathRooted(relative))
                return relative;
        }
        return source;
    }

    /// <summary>--ignore FILE, else lethe.audit-ignore beside the spec (the embedded default has none).</summary>
    public static string? IgnorePath(MachineSpec spec, string? ignoreFile) =>
        ignoreFile is not null ? Path.GetFullPath(ignoreFile)
        : spec.SourcePath is { } specPath ? Path.Combine(Path.GetDirectoryName(specPath)!, AuditIgnore.DefaultFileName) : null;

    private static IReadOnlyList<AuditIgnoreEntry> ReadIgnore(string? path) =>
        path is not null && File.Exists(path) ? AuditIgnore.Parse(File.ReadAllText(path), path) : [];
}
