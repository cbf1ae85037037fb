namespace Lethe.Image.Cpio;

/// <summary>An entry to put into a cpio archive; a plan of entries is decided apart from writing it.</summary>
public abstract record ArchiveEntry(string Path, int Mode);

public sealed record ArchiveDirectory(string Path, int Mode = 0b111_101_101) : ArchiveEntry(Path, Mode);

/// <summary>A regular file whose content is read from a host file when the archive is written.</summary>
public sealed record ArchiveHostFile(string Path, string SourceFile, int Mode) : ArchiveEntry(Path, Mode);

public sealed record ArchiveText(string Path, string Content, int Mode = 0b110_100_100) : ArchiveEntry(Path, Mode);

public sealed record ArchiveCharacterDevice(string Path, int Major, int Minor, int Mode = 0b110_000_000) : ArchiveEntry(Path, Mode);

public static class CpioWriterExtensions
{
    public static void Add(this CpioWriter writer, ArchiveEntry entry)
    {
        switch (entry)
        {
            case ArchiveDirectory directory:
                writer.AddDirectory(directory.Path, directory.Mode);
                break;
            case ArchiveHostFile file:
                writer.AddFile(file.Path, file.SourceFile, file.Mode);
                break;
            case ArchiveText text:
                writer.AddFile(text.Path, System.Text.Encoding.UTF8.GetBytes(text.Content), text.Mode);
                break;
            case ArchiveCharacterDevice device:
                writer.AddCharacterDevice(device.Path, device.Major, device.Minor, device.Mode);
                break;
            default:
                throw new ArgumentException($"unknown archive entry {entry.GetType().Name}", nameof(entry));
        }
    }
}
