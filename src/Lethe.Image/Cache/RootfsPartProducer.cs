using System.Diagnostics;
using Lethe.Core;
using Lethe.Image.Erofs;
using Lethe.Image.Kernel;
using Lethe.Image.Keys;
using Lethe.Image.Lock;
using Lethe.Image.Modules;
using Lethe.Image.Rootfs;

namespace Lethe.Image.Cache;

/// <summary>Turns a finished rootfs tree into a <see cref="RootfsPart"/> folder: kernel, modules, erofs.</summary>
/// <remarks>The kernel and modules are world-readable in the tree, so this process reads them directly;
/// the erofs packing reads every file with its owner, so it runs through <see cref="TreeAccess"/>.</remarks>
public sealed class RootfsPartProducer(TreeAccess access, IProgress<BuildProgress>? progress = null)
{
    public async Task<RootfsPart> ProduceAsync(string tree, string folder, string rootfsKey, PackageLock packages, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(folder);
        var kernelRelease = KernelReleaseIn(tree);

        var clock = Stopwatch.StartNew();
        await KernelExtractor.ExtractAsync(Path.Combine(tree, "boot", $"vmlinuz-{kernelRelease}"), Path.Combine(folder, ImageFiles.Kernel), cancellationToken)
            .ConfigureAwait(false);
        Report("kernel", $"vmlinux {kernelRelease} extracted in {clock.Elapsed.TotalSeconds:0.0} s");

        var moduleRoot = Path.Combine(tree, "lib", "modules", kernelRelease);
        var table = ModuleResolver.Resolve(
            await File.ReadAllTextAsync(Path.Combine(moduleRoot, "modules.dep"), cancellationToken).ConfigureAwait(false),
            await ReadIfPresentAsync(Path.Combine(moduleRoot, "modules.builtin"), cancellationToken).ConfigureAwait(false),
            WantedModules.All);
        foreach (var module in table.Entries)
        {
            var destination = Path.Combine(folder, RootfsPart.ModulesFolderName, module.Path);
            Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
            File.Copy(Path.Combine(moduleRoot, module.Path), destination);
        }
        await File.WriteAllTextAsync(Path.Combine(folder, RootfsPart.ModuleTableName), table.Format(), cancellationToken).ConfigureAwait(false);
        Report("modules", $"{table.Entries.Count} modules: {string.Join(' ', table.Entries.Select(entry => entry.Name))}");

        clock.Restart();
        var image = Path.Combine(folder, ImageFiles.Rootfs);
        await ErofsPacker.PackAsync(tree, image, ImageKey.FileSystemUuid(rootfsKey), access, cancellationToken).ConfigureAwait(false);
        Report("erofs", $"rootfs.erofs {new FileInfo(image).Length / (1024.0 * 1024):0} MiB packed in {clock.Elapsed.TotalSeconds:0.0} s");

        var part = new RootfsPart(rootfsKey, folder, kernelRelease, [.. packages.Packages.Select(package => $"{package.Name}={package.Version}")]);
        part.WriteManifest();
        return part;
    }

    /// <summary>The release of the one kernel in /boot that has modules (the newest if several).</summary>
    public static string KernelReleaseIn(string tree)
    {
        var releases = Directory.EnumerateFiles(Path.Combine(tree, "boot"), "vmlinuz-*")
            .Select(path => Path.GetFileName(path)["vmlinuz-".Length..])
            .Where(release => Directory.Exists(Path.Combine(tree, "lib", "modules", release)))
            .Order(NaturalComparer.Instance)
            .ToList();
        return releases.Count > 0 ? releases[^1] : throw new LetheException("the image has no kernel in /boot (is linux-image-amd64 installed?)");
    }

    private static async Task<string> ReadIfPresentAsync(string path, CancellationToken cancellationToken) =>
        File.Exists(path) ? await File.ReadAllTextAsync(path, cancellationToken).ConfigureAwait(false) : "";

    private void Report(string phase, string detail) => progress?.Report(new BuildProgress(phase, detail));
}

/// <summary>Compares digit runs as numbers, so that 6.1.0-10 sorts after 6.1.0-9.</summary>
public sealed class NaturalComparer : IComparer<string>
{
    public static readonly NaturalComparer Instance = new();

    public int Compare(string? x, string? y)
    {
        if (x is null || y is null)
            return string.CompareOrdinal(x, y);
        int i = 0, j = 0;
        while (i < x.Length && j < y.Length)
        {
            if (char.IsAsciiDigit(x[i]) && char.IsAsciiDigit(y[j]))
            {
                var startX = i;
                var startY = j;
                while (i < x.Length && char.IsAsciiDigit(x[i])) i++;
                while (j < y.Length && char.IsAsciiDigit(y[j])) j++;
                var numberX = x[startX..i].TrimStart('0');
                var numberY = y[startY..j].TrimStart('0');
                var byNumber = numberX.Length != numberY.Length ? numberX.Length.CompareTo(numberY.Length) : string.CompareOrdinal(numberX, numberY);
                if (byNumber != 0)
                    return byNumber;
            }
            else
            {
                if (x[i] != y[j])
                    return x[i].CompareTo(y[j]);
                i++;
                j++;
            }
        }
        return (x.Length - i).CompareTo(y.Length - j);
    }
}
