using System.Text;

namespace Lethe.Image.Cpio;

/// <summary>
/// Writes a "newc" (070701) cpio archive, the format the Linux kernel unpacks as an initramfs.
/// Deterministic: every entry gets the same modification time, inode numbers count up from 1 in the
/// order entries are added, and nothing is read from the host except the content of added files.
/// Paths are stored relative ("lib/x", not "/lib/x"). Several archives may be concatenated.
/// </summary>
public sealed class CpioWriter
{
    private const string Magic = "070701";
    private const string TrailerName = "TRAILER!!!";
    private const int TypeDirectory = 0x4000;
    private const int TypeRegular = 0x8000;
    private const int TypeSymlink = 0xA000;
    private const int TypeCharacterDevice = 0x2000;

    private readonly Stream output;
    private readonly long modificationTime;
    private int nextInode = 1;
    private bool finished;

    public CpioWriter(Stream output, long modificationTime = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(modificationTime);
        this.output = output;
        this.modificationTime = modificationTime;
    }

    public void AddDirectory(string path, int mode = 0b111_101_101, int uid = 0, int gid = 0) =>
        WriteEntry(path, TypeDirectory | Permissions(mode), uid, gid, links: 2, ReadOnlySpan<byte>.Empty);

    public void AddFile(string path, ReadOnlySpan<byte> content, int mode = 0b110_100_100, int uid = 0, int gid = 0) =>
        WriteEntry(path, TypeRegular | Permissions(mode), uid, gid, links: 1, content);

    /// <summary>Adds a regular file whose content is read from <paramref name="sourceFile"/> (symlinks followed).</summary>
    public void AddFile(string path, string sourceFile, int mode = 0b110_100_100, int uid = 0, int gid = 0)
    {
        using var source = new FileStream(sourceFile, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        WriteHeader(path, TypeRegular | Permissions(mode), uid, gid, links: 1, source.Length, 0, 0);
        var copied = CopyExactly(source, source.Length);
        if (copied != source.Length)
            throw new IOException($"{sourceFile} changed size while it was being archived");
        Pad(copied);
    }

    public void AddSymlink(string path, string target, int uid = 0, int gid = 0) =>
        WriteEntry(path, TypeSymlink | 0b111_111_111, uid, gid, links: 1, Encoding.UTF8.GetBytes(target));

    /// <summary>A character device node, e.g. <c>dev/console</c> (5, 1) so that PID 1 starts with a console.</summary>
    public void AddCharacterDevice(string path, int major, int minor, int mode = 0b110_000_000)
    {
        WriteHeader(path, TypeCharacterDevice | Permissions(mode), 0, 0, links: 1, 0, major, minor);
    }

    /// <summary>Writes the trailer. The archive ends 4-byte aligned, ready for another to follow.</summary>
    public void Finish()
    {
        ThrowIfFinished();
        WriteHeaderCore(TrailerName, inode: 0, mode: 0, uid: 0, gid: 0, links: 1, mtime: 0, size: 0, 0, 0);
        finished = true;
        output.Flush();
    }

    private void WriteEntry(string path, int mode, int uid, int gid, int links, ReadOnlySpan<byte> content)
    {
        WriteHeader(path, mode, uid, gid, links, content.Length, 0, 0);
        output.Write(content);
        Pad(content.Length);
    }

    private void WriteHeader(string path, int mode, int uid, int gid, int links, long size, int rdevMajor, int rdevMinor)
    {
        ThrowIfFinished();
        if (size > uint.MaxValue)
            throw new IOException($"{path} is too large for a newc cpio archive");
        WriteHeaderCore(ArchivePath(path), nextInode++, mode, uid, gid, links, modificationTime, size, rdevMajor, rdevMinor);
    }

    private void WriteHeaderCore(string name, int inode, int mode, int uid, int gid, int links, long mtime, long size, int rdevMajor, int rdevMinor)
    {
        var nameBytes = Encoding.UTF8.GetBytes(name);
        var header = new StringBuilder(110).Append(Magic);
        foreach (var field in new long[] { inode, mode, uid, gid, links, mtime, size, 0, 0, rdevMajor, rdevMinor, nameBytes.Length + 1, 0 })
            header.Append(((uint)field).ToString("X8", System.Globalization.CultureInfo.InvariantCulture));
        output.Write(Encoding.ASCII.GetBytes(header.ToString()));
        output.Write(nameBytes);
        output.WriteByte(0);
        Pad(110 + nameBytes.Length + 1);
    }

    private long CopyExactly(Stream source, long length)
    {
        var buffer = new byte[1 << 16];
        long copied = 0;
        while (copied < length)
        {
            var read = source.Read(buffer, 0, (int)Math.Min(buffer.Length, length - copied));
            if (read == 0)
                break;
            output.Write(buffer, 0, read);
            copied += read;
        }
        return copied;
    }

    private void Pad(long writtenLength)
    {
        var padding = (int)((4 - writtenLength % 4) % 4);
        for (var i = 0; i < padding; i++)
            output.WriteByte(0);
    }

    private void ThrowIfFinished()
    {
        if (finished)
            throw new InvalidOperationException("the cpio archive is already finished");
    }

    private static int Permissions(int mode) => mode & 0xFFF;

    /// <summary>Archive names are relative and never climb out of the extraction root.</summary>
    public static string ArchivePath(string path)
    {
        var relative = path.TrimStart('/');
        var parts = relative.Split('/');
        if (relative.Length == 0 || parts.Any(part => part is "" or "." or ".."))
            throw new ArgumentException($"not a valid archive path: '{path}'", nameof(path));
        return relative;
    }
}
