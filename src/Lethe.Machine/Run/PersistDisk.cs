using System.Globalization;
using Lethe.Core;

namespace Lethe.Machine.Run;

/// <summary>
/// A workstation's persist disk: a sparse raw file holding ext4, made by the host's mkfs.ext4 at the
/// first up. It is made under a temporary name and renamed into place, so a crash never leaves a
/// half-made disk that a later boot would trust.
/// </summary>
public static class PersistDisk
{
    public static async Task<string> EnsureAsync(string path, long sizeMiB, CancellationToken stop)
    {
        if (File.Exists(path))
            return path;
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var temporary = path + ".new";
        File.Delete(temporary);
        await using (var file = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.None))
            file.SetLength(sizeMiB * 1024 * 1024);
        File.SetUnixFileMode(temporary, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        await new HostCommand("mkfs.ext4")
            .WithArguments("-q", "-F", "-L", "lethe-persist", "-m", "0", "-E", "lazy_itable_init=1,lazy_journal_init=1", temporary)
            .RunAsync(stop).ConfigureAwait(false);
        File.Move(temporary, path);
        return path;
    }

}
