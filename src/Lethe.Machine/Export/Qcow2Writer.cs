using System.Globalization;
using System.Text;
using Lethe.Core;
using Lethe.Image.Cpio;
using Lethe.Image.Keys;
using Lethe.Image.Modules;
using Lethe.Image.Tools;
using Lethe.Machine.Export.Disk;
using Lethe.Protocol;
using Lethe.Protocol.Boot;

namespace Lethe.Machine.Export;

/// <summary>
/// A whole disk that boots under any UEFI hypervisor without lethe (<see cref="DiskLayout"/>, <see cref="EspPlan"/>):
/// the image's own erofs byte for byte as the root partition, the image's kernel and lethe's initramfs started by
/// systemd-boot, and a blank persist partition the guest formats at its first boot. Assembled as a sparse raw file in
/// the work folder, then converted to a zstd-compressed qcow2 and checked with <c>qemu-img check</c>.
/// </summary>
public sealed class Qcow2Writer : IExportWriter
{
    /// <summary>Debian's systemd-boot-efi: the host's, like the tools that write the partitions.</summary>
    public const string Bootloader = "/usr/lib/systemd/boot/efi/systemd-bootx64.efi";

    public async Task<ExportArtifact> ProduceAsync(ExportContext context, string folder, CancellationToken cancellationToken)
    {
        var disk = context.Disk ?? throw new InvalidOperationException("a disk export needs its disk options");
        var tree = await ExportSteps.ExtractAsync(context, folder, cancellationToken).ConfigureAwait(false);
        var release = context.Image.KernelVersion;
        var kernel = Path.Combine(folder, "vmlinuz");
        File.Copy(Path.Combine(tree, "boot", $"vmlinuz-{release}"), kernel);
        var standalone = await WriteStandaloneArchiveAsync(context, disk, tree, Path.Combine(folder, "standalone.cpio"), cancellationToken).ConfigureAwait(false);
        await ExportSteps.RemoveTreeAsync(context, tree, cancellationToken).ConfigureAwait(false);

        context.Progress("writing the EFI system partition");
        var layout = DiskLayout.For(context.Image.Digest, new FileInfo(context.Image.RootfsPath).Length, disk.PersistSizeMiB);
        var esp = await WriteEspAsync(layout, folder, kernel, context.Image.InitramfsPath, standalone, disk.Seed.Hostname, cancellationToken).ConfigureAwait(false);

        context.Progress("writing the disk (GPT, EFI system partition, image, persist partition)");
        var raw = Path.Combine(folder, "disk.raw");
        await using (var file = new FileStream(raw, FileMode.CreateNew, FileAccess.Write))
            file.SetLength(layout.TotalBytes);
        var table = new MemoryStream();
        await BinaryPipe.RunAsync(new HostCommand("sfdisk").WithArguments("--no-reread", "--no-tell-kernel", "--quiet", raw),
            Encoding.ASCII.GetBytes(layout.SfdiskScript()), table, cancellationToken).ConfigureAwait(false);
        await CopyIntoAsync(esp, raw, layout.Esp, cancellationToken).ConfigureAwait(false);
        await CopyIntoAsync(context.Image.RootfsPath, raw, layout.Root, cancellationToken).ConfigureAwait(false);
        File.Delete(esp);

        context.Progress("converting to qcow2 (zstd)");
        var qcow2 = Path.Combine(folder, "disk.qcow2");
        await new HostCommand("qemu-img")
            .WithArguments("convert", "-f", "raw", "-O", "qcow2", "-c", "-o", "compression_type=zstd", raw, qcow2)
            .WithTimeout(TimeSpan.FromMinutes(30))
            .RunAsync(cancellationToken).ConfigureAwait(false);
        File.Delete(raw);
        var check = await new HostCommand("qemu-img").WithArguments("check", "-f", "qcow2", qcow2).ExecuteAsync(cancellationToken).ConfigureAwait(false);
        if (check.ExitCode != 0)
            throw new LetheException($"qemu-img check found problems in the exported disk (exit {check.ExitCode}): {check.Stdout.Trim()}");
        return new ExportArtifact(qcow2, IsDirectory: false, "qcow2", "sha256:" + ImageKey.Sha256OfFile(qcow2));
    }

    /// <summary>The second initramfs archive: the baked seed, and the disk drivers with a module table that replaces
    /// lethe's own (a later archive's file wins over an earlier one's).</summary>
    private static async Task<string> WriteStandaloneArchiveAsync(ExportContext context, DiskExport disk, string tree, string path, CancellationToken cancellationToken)
    {
        var moduleRoot = Path.Combine(tree, "lib", "modules", context.Image.KernelVersion);
        var builtin = Path.Combine(moduleRoot, "modules.builtin");
        var modules = ModuleResolver.Resolve(
            await File.ReadAllTextAsync(Path.Combine(moduleRoot, "modules.dep"), cancellationToken).ConfigureAwait(false),
            File.Exists(builtin) ? await File.ReadAllTextAsync(builtin, cancellationToken).ConfigureAwait(false) : "",
            StandalonePlan.Modules.Select(name => new WantedModule(name)));
        var entries = new Dictionary<string, ArchiveEntry>(StringComparer.Ordinal);
        void Add(ArchiveEntry entry)
        {
            entries[entry.Path] = entry;
            for (var slash = entry.Path.LastIndexOf('/'); slash > 0; slash = entry.Path.LastIndexOf('/', slash - 1))
                entries.TryAdd(entry.Path[..slash], new ArchiveDirectory(entry.Path[..slash]));
        }
        Add(new ArchiveText(StandalonePlan.SeedPath, Encoding.UTF8.GetString(ProtocolJson.Serialize(disk.Seed))));
        Add(new ArchiveText(SeedLayout.ModulesPath, modules.Format()));
        foreach (var module in modules.Entries)
            Add(new ArchiveHostFile($"lib/modules/{context.Image.KernelVersion}/{module.Path}", Path.Combine(moduleRoot, module.Path), 0b110_100_100));
        await using var output = new FileStream(path, FileMode.CreateNew, FileAccess.Write);
        var writer = new CpioWriter(output, ExportContext.Epoch);
        foreach (var entry in entries.OrderBy(pair => pair.Key, StringComparer.Ordinal).Select(pair => pair.Value))
            writer.Add(entry);
        writer.Finish();
        return path;
    }

    /// <summary>FAT32 made with fixed serial and times (mkfs.fat --invariant, mtools with SOURCE_DATE_EPOCH).</summary>
    private static async Task<string> WriteEspAsync(DiskLayout layout, string folder, string kernel, string initramfs, string standalone, string title, CancellationToken cancellationToken)
    {
        var esp = Path.Combine(folder, "esp.img");
        var epoch = ExportContext.Epoch.ToString(CultureInfo.InvariantCulture);
        await new HostCommand("mkfs.fat")
            .WithArguments("--invariant", "-F", "32", "-n", "LETHE-EFI", "-C", esp, (layout.Esp.Bytes / 1024).ToString(CultureInfo.InvariantCulture))
            .RunAsync(cancellationToken).ConfigureAwait(false);
        HostCommand Mtools(string program) => new HostCommand(program).WithEnvironment("SOURCE_DATE_EPOCH", epoch).WithEnvironment("MTOOLS_SKIP_CHECK", "1");
        await Mtools("mmd").WithArguments(["-i", esp, .. EspPlan.Folders.Select(name => "::" + name)]).RunAsync(cancellationToken).ConfigureAwait(false);
        var staged = Directory.CreateDirectory(Path.Combine(folder, "esp-files")).FullName;
        var files = EspPlan.Files(Bootloader, kernel, initramfs, standalone, $"lethe {title}");
        for (var index = 0; index < files.Count; index++)
        {
            var file = files[index];
            var source = Path.Combine(staged, index.ToString(CultureInfo.InvariantCulture));
            if (file.Text is { } text)
                await File.WriteAllTextAsync(source, text, cancellationToken).ConfigureAwait(false);
            else
                File.Copy(file.SourceFile!, source);
            File.SetLastWriteTimeUtc(source, DateTimeOffset.FromUnixTimeSeconds(ExportContext.Epoch).UtcDateTime);
            await Mtools("mcopy").WithArguments("-m", "-i", esp, source, "::" + file.PathOnEsp).RunAsync(cancellationToken).ConfigureAwait(false);
        }
        Directory.Delete(staged, recursive: true);
        return esp;
    }

    private static async Task CopyIntoAsync(string source, string disk, DiskPartition partition, CancellationToken cancellationToken)
    {
        await using var input = new FileStream(source, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20);
        if (input.Length > partition.Bytes)
            throw new LetheException($"{source} ({input.Length} bytes) does not fit its partition ({partition.Bytes} bytes)");
        await using var output = new FileStream(disk, FileMode.Open, FileAccess.Write, FileShare.None, 1 << 20);
        output.Seek(partition.Offset, SeekOrigin.Begin);
        await input.CopyToAsync(output, cancellationToken).ConfigureAwait(false);
    }
}
