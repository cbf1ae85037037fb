using Lethe.Core;
using Lethe.Image.Cache;
using Lethe.Image.Rootfs;
using Lethe.Machine.Export.Disk;

namespace Lethe.Machine.Export;

/// <summary>
/// <c>lethe export</c>: turns a built image into another form. Everything is made in a private work folder
/// in the image cache (never /tmp), then moved to the output, which must not exist yet. An ordinary user's
/// tree is read in the same user namespace the build used, so owners come out as they are in the image.
/// </summary>
/// <param name="writers">Which writer makes each format; <see cref="WriterFor"/> unless a test gives its own.</param>
public sealed class ExportService(LethePaths paths, Action<string>? progress = null, Func<ExportFormat, IExportWriter>? writers = null)
{
    private static readonly string[] NeededTools = ["fsck.erofs", "tar", "gzip"];
    private static readonly string[] DiskTools = ["mkfs.fat", "mmd", "mcopy", "sfdisk", "qemu-img"];

    public static IExportWriter WriterFor(ExportFormat format) => format switch
    {
        ExportFormat.Oci => new OciWriter(),
        ExportFormat.Lxc => new LxcWriter(),
        ExportFormat.Qcow2 => new Qcow2Writer(),
        ExportFormat.ContainerDisk => new ContainerDiskWriter(new Qcow2Writer()),
        ExportFormat.K8s => new KubeVirtWriter(),
        _ => throw new ArgumentOutOfRangeException(nameof(format)),
    };

    public async Task<ExportResult> ExportAsync(ExportRequest request, CancellationToken cancellationToken)
    {
        CheckRequest(request);
        CheckOutput(request.Output);
        var access = CheckHost(request.Format);
        await using var work = CreateWorkFolder();
        var artifact = await ProduceAsync(request, access, work.Sub("export"), cancellationToken).ConfigureAwait(false);
        var bytes = artifact.Bytes;
        await artifact.PublishAsync(request.Output, cancellationToken).ConfigureAwait(false);
        return new ExportResult(request.Format.Name(), artifact.Kind, request.Output, artifact.Digest, bytes);
    }

    /// <summary>Exports twice from scratch and compares the two byte for byte. With <paramref name="publish"/>,
    /// the first export is then written to the request's output, but only when the two are identical.</summary>
    public async Task<ExportCheckResult> CheckAsync(ExportRequest request, bool publish, CancellationToken cancellationToken)
    {
        CheckRequest(request);
        if (publish)
            CheckOutput(request.Output);
        var access = CheckHost(request.Format);
        await using var work = CreateWorkFolder();
        var first = await ProduceAsync(request, access, work.Sub("first"), cancellationToken).ConfigureAwait(false);
        progress?.Invoke("exporting a second time");
        var second = await ProduceAsync(request, access, work.Sub("second"), cancellationToken).ConfigureAwait(false);
        progress?.Invoke("comparing the two exports");
        var differences = await ExportArtifact.CompareAsync(first, second, cancellationToken).ConfigureAwait(false);
        if (publish && differences.Count == 0)
            await first.PublishAsync(request.Output, cancellationToken).ConfigureAwait(false);
        return new ExportCheckResult(differences.Count == 0, request.Format.Name(), request.Image.Digest, first.Digest, differences);
    }

    private async Task<ExportArtifact> ProduceAsync(ExportRequest request, TreeAccess access, string folder, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(folder);
        var context = new ExportContext(request.Image, ContainerProfile.From(request.Spec), access,
            ExportFormats.IsOciArchive(request.Output), line => progress?.Invoke(line),
            new DiskExport(StandaloneSeed.For(request.Spec, request.Spec.Name, request.AuthorizedKeys ?? []), request.PersistSizeMiB ?? request.Spec.Persist.SizeMiB))
        {
            Spec = request.Spec,
            ImageRef = request.ImageRef,
        };
        return await (writers ?? WriterFor)(request.Format).ProduceAsync(context, folder, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>k8s names the containerdisk's image reference; no other format takes one.</summary>
    private static void CheckRequest(ExportRequest request)
    {
        if (KubeVirtManifest.ImageRefUsageProblem(request.Format, request.ImageRef) is { } problem)
            throw new UsageException(problem);
    }

    /// <summary>The output must be new, in a folder that exists: checked before the slow work, and again when it is written.</summary>
    private static void CheckOutput(string output)
    {
        if (PosixFiles.LStat(output) is not null)
            throw new UsageException($"-o: {output} exists; name a new path");
        var parent = Path.GetDirectoryName(Path.TrimEndingDirectorySeparator(output));
        if (parent is null || PosixFiles.Stat(parent) is not { IsDirectory: true })
            throw new UsageException($"-o: the folder {parent} does not exist");
    }

    /// <summary>Tools first, then (for a user who is not root) the user namespace the tree is read in: exit 3 with the fix.</summary>
    private static TreeAccess CheckHost(ExportFormat format)
    {
        if (MissingToolsProblem(format, program => FindOnPath(program) is not null, File.Exists) is { } problem)
            throw new HostException(problem);
        var access = TreeAccess.ForThisProcess();
        if (!access.AsRoot && UserNamespaceReadiness.Findings(UserNamespaceFacts.Read()).FirstOrDefault(finding => finding.Blocks) is { } finding)
            throw new HostException($"{finding.Problem}; fix: {finding.Fix}");
        return access;
    }

    /// <summary>The one line naming the tools export lacks and the packages that bring them, or null (pure).</summary>
    /// <param name="onPath">Whether a program is on PATH.</param>
    /// <param name="fileExists">Whether a host file exists (the bootloader a disk export copies).</param>
    public static string? MissingToolsProblem(ExportFormat format, Func<string, bool> onPath, Func<string, bool> fileExists)
    {
        var disk = format.IsDisk();
        var missing = NeededTools.Concat(disk ? DiskTools : []).Where(tool => !onPath(tool))
            .Concat(disk && !fileExists(Qcow2Writer.Bootloader) ? [Qcow2Writer.Bootloader] : [])
            .ToList();
        var packages = "erofs-utils tar gzip" + (disk ? " dosfstools mtools fdisk qemu-utils systemd-boot-efi" : "");
        return missing.Count == 0 ? null
            : $"lethe export --format {format.Name()} needs {string.Join(", ", missing)}; install them with: sudo apt-get update && sudo apt-get install --no-install-recommends {packages}";
    }

    private WorkFolder CreateWorkFolder()
    {
        var work = new ImageCache(paths.Images).CreateWorkFolder();
        File.SetUnixFileMode(work.Path, PrivateFolder.Mode);
        return work;
    }

    private static string? FindOnPath(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin:/bin").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Concat(["/usr/sbin", "/sbin"])
            .Select(folder => Path.Combine(folder, program))
            .FirstOrDefault(File.Exists);
}
