using System.Globalization;
using Lethe.Core;
using Lethe.Image.Keys;
using Lethe.Image.Lock;

namespace Lethe.Image.Rootfs;

/// <summary>
/// Builds the root file system tree of an image: mmdebstrap, then the user, sudo, the spec's files and the
/// cleanup of <see cref="RootfsCustomization"/>. Returns the exact package versions installed.
/// </summary>
public sealed class RootfsBuilder(IProgress<BuildProgress>? progress = null)
{
    /// <param name="target">Folder to create the tree in; must not exist yet.</param>
    /// <param name="workFolder">A private folder for the builder's own temporary files.</param>
    /// <param name="pinned">Versions to choose (from the lock file), or null for the newest.</param>
    public async Task<PackageLock> BuildAsync(ImageRecipe recipe, PackageLock? pinned, string target, string workFolder, CancellationToken cancellationToken)
    {
        if (!Environment.IsPrivilegedProcess)
            throw new HostException("building an image needs root (mmdebstrap --mode=root and chroot); run lethe build with sudo");
        string? pinFile = null;
        if (pinned is not null)
        {
            pinFile = Path.Combine(workFolder, "lethe-lock.pref");
            await File.WriteAllTextAsync(pinFile, pinned.AptPreferences(), cancellationToken).ConfigureAwait(false);
        }

        Report("mmdebstrap", $"Debian {recipe.Suite}: {string.Join(' ', recipe.IncludedPackages)}");
        await Mmdebstrap.Command(recipe, target, pinFile)
            .RunAsync(cancellationToken, ForwardToolLine)
            .ConfigureAwait(false);

        Report("customize");
        await AddUserAsync(recipe, target, cancellationToken).ConfigureAwait(false);
        await CleanUpAsync(target, cancellationToken).ConfigureAwait(false);
        // Last, so that a file the spec asks for wins over the cleanup and the fixed files.
        await CopyFilesAsync(recipe, target, cancellationToken).ConfigureAwait(false);

        var installed = await new HostCommand("dpkg-query")
            .WithArguments($"--admindir={Path.Combine(target, "var/lib/dpkg")}", "-W", "-f", PackageLock.DpkgQueryFormat)
            .RunAsync(cancellationToken)
            .ConfigureAwait(false);
        return PackageLock.FromDpkgQuery(recipe.Suite, installed);
    }

    private static async Task AddUserAsync(ImageRecipe recipe, string target, CancellationToken cancellationToken)
    {
        await InChroot(target, RootfsCustomization.UserAddArguments(recipe)).RunAsync(cancellationToken).ConfigureAwait(false);
        if (!recipe.UserSudo)
            return;
        var sudoers = Path.Combine(target, RootfsCustomization.SudoersPath);
        Directory.CreateDirectory(Path.GetDirectoryName(sudoers)!);
        await WriteFixedFileAsync(sudoers, RootfsCustomization.SudoersText(recipe.UserName), 0b100_100_000, cancellationToken).ConfigureAwait(false);
    }

    private static async Task CopyFilesAsync(ImageRecipe recipe, string target, CancellationToken cancellationToken)
    {
        if (recipe.Files.Count == 0)
            return;
        const string StagingInChroot = "/tmp/lethe-files";
        var staging = Path.Combine(target, StagingInChroot.TrimStart('/'));
        Directory.CreateDirectory(staging);
        for (var index = 0; index < recipe.Files.Count; index++)
        {
            var file = recipe.Files[index];
            var name = index.ToString(CultureInfo.InvariantCulture);
            File.Copy(file.Source, Path.Combine(staging, name));
            if (ImageKey.Sha256OfFile(Path.Combine(staging, name)) != file.Sha256)
                throw new LetheException($"{file.Source} changed during the build; build again");
            await InChroot(target, RootfsCustomization.InstallArguments($"{StagingInChroot}/{name}", file))
                .RunAsync(cancellationToken).ConfigureAwait(false);
        }
        Directory.Delete(staging, recursive: true);
    }

    private static async Task CleanUpAsync(string target, CancellationToken cancellationToken)
    {
        foreach (var rule in RootfsCustomization.Cleanup)
        {
            if (!Directory.Exists(Path.Combine(target, rule.Directory)))
                continue;
            await new HostCommand("find").WithArguments(RootfsCustomization.FindArguments(target, rule))
                .RunAsync(cancellationToken).ConfigureAwait(false);
        }
        foreach (var file in RootfsCustomization.FixedFiles)
            await WriteFixedFileAsync(Path.Combine(target, file.Path), file.Content, file.Mode, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Deletes what is there first, so that a symlink (possibly absolute) is never followed out of the tree.</summary>
    private static async Task WriteFixedFileAsync(string path, string content, int mode, CancellationToken cancellationToken)
    {
        if (File.Exists(path) || new FileInfo(path).LinkTarget is not null)
            File.Delete(path);
        await File.WriteAllTextAsync(path, content, cancellationToken).ConfigureAwait(false);
        File.SetUnixFileMode(path, (UnixFileMode)mode);
    }

    private static HostCommand InChroot(string target, IReadOnlyList<string> command) =>
        new HostCommand("chroot")
            .WithArguments([target, .. command])
            .WithEnvironment("SOURCE_DATE_EPOCH", ImageKey.SourceDateEpoch.ToString(CultureInfo.InvariantCulture))
            .WithEnvironment("LC_ALL", "C.UTF-8");

    private void ForwardToolLine(string line)
    {
        if (line.StartsWith("I: ", StringComparison.Ordinal) || line.StartsWith("W: ", StringComparison.Ordinal)
            || line.StartsWith("E: ", StringComparison.Ordinal))
            Report("mmdebstrap", line);
    }

    private void Report(string phase, string? detail = null) => progress?.Report(new BuildProgress(phase, detail));
}
