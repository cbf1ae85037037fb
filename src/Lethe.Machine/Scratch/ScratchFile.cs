using Lethe.Core;

namespace Lethe.Machine.Scratch;

/// <summary>
/// The host side of a scratch disk: a sparse raw file, one per run, in a disk-backed folder under the
/// cache (<c>LethePaths.Cache/scratch</c>). It only ever holds ciphertext (the guest encrypts with a
/// key the host never sees), and it is deleted when the machine stops; <see cref="CleanStale"/>
/// removes those that dead runs left behind.
/// </summary>
public sealed class ScratchFile : IDisposable
{
    private const UnixFileMode Private = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    private ScratchFile(string path, long sizeMiB)
    {
        Path = path;
        SizeMiB = sizeMiB;
    }

    public string Path { get; }
    public long SizeMiB { get; }

    /// <summary>
    /// Creates the file, refusing (exit 3) before anything boots when the folder is RAM-backed (unless
    /// allowed) or lacks the free space for the whole disk.
    /// </summary>
    public static async Task<ScratchFile> CreateAsync(string folder, string runName, long sizeMiB, Func<string, string?>? getVariable = null, CancellationToken stop = default)
    {
        getVariable ??= Environment.GetEnvironmentVariable;
        if (sizeMiB <= 0)
            throw new ArgumentOutOfRangeException(nameof(sizeMiB), "the scratch disk needs a positive size");
        Lethe.Core.PrivateFolder.Ensure(folder);
        var type = await FileSystemTypeAsync(folder, stop).ConfigureAwait(false);
        if (ScratchPolicy.FolderRefusal(folder, type, getVariable(ScratchPolicy.AllowTmpfsVariable)) is { } refusal)
            throw new HostException(refusal);
        if (ScratchPolicy.SpaceShortfall(folder, new DriveInfo(folder).AvailableFreeSpace, sizeMiB) is { } shortfall)
            throw new HostException(shortfall);
        var path = ScratchPolicy.FileFor(folder, runName);
        File.Delete(path);
        using (var file = new FileStream(path, new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = Private }))
            file.SetLength(sizeMiB * 1024 * 1024);
        return new ScratchFile(path, sizeMiB);
    }

    /// <summary>The filesystem type of a folder, as statfs(2) names it (e.g. "ext2/ext3", "tmpfs").</summary>
    public static async Task<string> FileSystemTypeAsync(string folder, CancellationToken stop = default) =>
        (await new HostCommand("stat").WithArguments("-f", "-c", "%T", folder).RunAsync(stop).ConfigureAwait(false)).Trim();

    /// <summary>Deletes the files of runs that are gone; returns how many.</summary>
    public static int CleanStale(string folder, Func<string, bool> isRunAlive)
    {
        if (PosixFiles.LStat(folder) is null)
            return 0;
        Lethe.Core.PrivateFolder.Ensure(folder);
        var cleaned = 0;
        foreach (var file in Directory.EnumerateFiles(folder))
        {
            if (ScratchPolicy.RunOf(System.IO.Path.GetFileName(file)) is not { } run || isRunAlive(run))
                continue;
            try
            {
                File.Delete(file);
                cleaned++;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
            }
        }
        return cleaned;
    }

    /// <summary>Deletes the file; QEMU may still hold it open, which is fine: the blocks go when it closes.</summary>
    public void Dispose()
    {
        try
        {
            File.Delete(Path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }
    }
}
