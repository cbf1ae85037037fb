using Lethe.Core;
using Lethe.Image.Cache;

namespace Lethe.Machine.Export;

/// <summary>An export made inside lethe's private work folder: a file or a directory, not yet published.</summary>
public sealed record ExportArtifact(string Path, bool IsDirectory, string Kind, string Digest)
{
    public long Bytes => IsDirectory
        ? Files().Sum(relative => new FileInfo(System.IO.Path.Combine(Path, relative)).Length)
        : new FileInfo(Path).Length;

    /// <summary>Every regular file below a directory artifact, relative and sorted (ordinal).</summary>
    public IReadOnlyList<string> Files() =>
    [
        .. Directory.EnumerateFiles(Path, "*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0 })
            .Select(file => System.IO.Path.GetRelativePath(Path, file))
            .Order(StringComparer.Ordinal),
    ];

    /// <summary>
    /// Moves the artifact to <paramref name="output"/>, which must not exist: a file is moved without
    /// replacing anything; a directory is made exclusively (mkdir) and its files moved into it, so nothing
    /// planted at that path, or a link there, is ever written through.
    /// </summary>
    public async Task PublishAsync(string output, CancellationToken cancellationToken)
    {
        if (!IsDirectory)
        {
            try
            {
                File.Move(Path, output, overwrite: false);
            }
            catch (IOException) when (PosixFiles.LStat(output) is not null)
            {
                throw new UsageException($"-o: {output} appeared while lethe was exporting; name a new path");
            }
            return;
        }
        if (!PosixFiles.TryMakeDirectory(output, (UnixFileMode)0b111_101_101))
            throw new UsageException($"-o: {output} exists; name a new path");
        try
        {
            foreach (var relative in Files())
            {
                var destination = System.IO.Path.Combine(output, relative);
                Directory.CreateDirectory(System.IO.Path.GetDirectoryName(destination)!);
                File.Move(System.IO.Path.Combine(Path, relative), destination, overwrite: false);
            }
        }
        catch
        {
            await TreeRemover.RemoveAsync(output, cancellationToken).ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>The first ways two artifacts of the same export differ (files compared byte for byte).</summary>
    public static async Task<IReadOnlyList<ExportDifference>> CompareAsync(ExportArtifact first, ExportArtifact second, CancellationToken cancellationToken)
    {
        if (!first.IsDirectory)
            return await CompareFileAsync(first.Path, second.Path, System.IO.Path.GetFileName(first.Path), cancellationToken).ConfigureAwait(false) is { } one ? [one] : [];
        var differences = new List<ExportDifference>();
        var a = first.Files();
        var b = second.Files();
        foreach (var missing in a.Except(b, StringComparer.Ordinal))
            differences.Add(new ExportDifference(missing, "only in the first export"));
        foreach (var extra in b.Except(a, StringComparer.Ordinal))
            differences.Add(new ExportDifference(extra, "only in the second export"));
        foreach (var relative in a.Intersect(b, StringComparer.Ordinal))
        {
            if (await CompareFileAsync(System.IO.Path.Combine(first.Path, relative), System.IO.Path.Combine(second.Path, relative), relative, cancellationToken).ConfigureAwait(false) is { } difference)
                differences.Add(difference);
        }
        return differences;
    }

    private static async Task<ExportDifference?> CompareFileAsync(string first, string second, string name, CancellationToken cancellationToken) =>
        await FileComparison.FirstDifferenceAsync(first, second, cancellationToken).ConfigureAwait(false) is { } offset
            ? new ExportDifference(name, $"differs from byte {offset}")
            : null;
}
