using System.Globalization;
using System.Security.Cryptography;
using Lethe.Core;
using Lethe.Image.Keys;
using Lethe.Image.Lock;

namespace Lethe.Image.Rootfs;

/// <summary>
/// Builds the root file system tree of an image: mmdebstrap, then the user, the cleanup, sudo, the fixed
/// files and the spec's files of <see cref="RootfsCustomization"/>. Returns the exact package versions
/// installed. Every tool that touches the tree runs through <see cref="TreeAccess"/>, so the same steps
/// work for root and, in a user namespace, for any user.
/// </summary>
public sealed class RootfsBuilder(TreeAccess access, IProgress<BuildProgress>? progress = null)
{
    /// <param name="target">Folder to create the tree in; must not exist yet.</param>
    /// <param name="workFolder">A private folder for the builder's own temporary files.</param>
    /// <param name="pinned">Versions to choose (from the lock file), or null for the newest.</param>
    public async Task<PackageLock> BuildAsync(ImageRecipe recipe, PackageLock? pinned, string target, string workFolder, CancellationToken cancellationToken)
    {
        if (!access.AsRoot && UserNamespaceReadiness.Findings(UserNamespaceFacts.Read()) is [var gap, ..])
            throw new HostException($"cannot build an image as {Environment.UserName}: {gap.Problem}; fix: {gap.Fix}");
        string? pinFile = null;
        if (pinned is not null)
        {
            pinFile = Path.Combine(workFolder, "lethe-lock.pref");
            await File.WriteAllTextAsync(pinFile, pinned.AptPreferences(), cancellationToken).ConfigureAwait(false);
        }

        Report("mmdebstrap", $"Debian {recipe.Suite}: {string.Join(' ', recipe.IncludedPackages)} (mode {access.MmdebstrapMode})");
        await access.Wrap(Mmdebstrap.Command(recipe, target, pinFile, access.MmdebstrapMode))
            .RunAsync(cancellationToken, ForwardToolLine)
            .ConfigureAwait(false);

        Report("customize");
        await RunAsync(InChroot(target, RootfsCustomization.UserAddArguments(recipe)), cancellationToken).ConfigureAwait(false);
        await CleanUpAsync(target, cancellationToken).ConfigureAwait(false);
        // Last, so that a file the spec asks for wins over the cleanup and the fixed files.
        await InstallFilesAsync(recipe, target, cancellationToken).ConfigureAwait(false);

        var installed = await access.Wrap(new HostCommand("dpkg-query")
                .WithArguments($"--admindir={Path.Combine(target, "var/lib/dpkg")}", "-W", "-f", PackageLock.DpkgQueryFormat))
            .RunAsync(cancellationToken)
            .ConfigureAwait(false);
        return PackageLock.FromDpkgQuery(recipe.Suite, installed);
    }

    /// <summary>
    /// Sudoers, the fixed files, then the spec's files: each is staged in the tree's /tmp and installed by
    /// <c>install</c> inside the chroot, as namespace root. So the owner is root whoever builds, a symlink
    /// in the way is replaced (install unlinks first) and links in the path resolve inside the tree.
    /// </summary>
    private async Task InstallFilesAsync(ImageRecipe recipe, string target, CancellationToken cancellationToken)
    {
        var stagingInChroot = "/tmp/lethe-stage-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));
        var staging = Path.Combine(target, stagingInChroot.TrimStart('/'));
        Directory.CreateDirectory(staging, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        try
        {
            var index = 0;
            async Task InstallAsync(Func<string, Task> stage, RecipeFile file)
            {
                var name = (index++).ToString(CultureInfo.InvariantCulture);
                await stage(Path.Combine(staging, name)).ConfigureAwait(false);
                await RunAsync(InChroot(target, RootfsCustomization.InstallArguments($"{stagingInChroot}/{name}", file)), cancellationToken).ConfigureAwait(false);
            }

            foreach (var fixedFile in RootfsCustomization.FixedFilesFor(recipe))
                await InstallAsync(path => WriteNewAsync(path, fixedFile.Content, cancellationToken), new RecipeFile("", "/" + fixedFile.Path, fixedFile.Mode, "")).ConfigureAwait(false);
            foreach (var file in recipe.Files)
            {
                await InstallAsync(path =>
                {
                    File.Copy(file.Source, path);
                    if (ImageKey.Sha256OfFile(path) != file.Sha256)
                        throw new LetheException($"{file.Source} changed during the build; build again");
                    return Task.CompletedTask;
                }, file).ConfigureAwait(false);
            }
        }
        finally
        {
            await RunAsync(new HostCommand("rm").WithArguments("-rf", "--one-file-system", "--", staging), CancellationToken.None).ConfigureAwait(false);
        }
    }

    private static async Task WriteNewAsync(string path, string content, CancellationToken cancellationToken)
    {
        await using var stream = new FileStream(path, FileMode.CreateNew, FileAccess.Write);
        await using var writer = new StreamWriter(stream);
        await writer.WriteAsync(content.AsMemory(), cancellationToken).ConfigureAwait(false);
    }

    private async Task CleanUpAsync(string target, CancellationToken cancellationToken)
    {
        foreach (var rule in RootfsCustomization.Cleanup)
        {
            // Only a stat: it needs no permission on the folder itself, so it works from outside the namespace.
            if (Directory.Exists(Path.Combine(target, rule.Directory)))
                await RunAsync(new HostCommand("find").WithArguments(RootfsCustomization.FindArguments(target, rule)), cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task RunAsync(HostCommand command, CancellationToken cancellationToken)
    {
        var result = await access.Wrap(command).ExecuteAsync(cancellationToken).ConfigureAwait(false);
        if (result.ExitCode != 0)
            throw new ToolFailedException(command.Program, result.ExitCode, result.Stderr);
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
