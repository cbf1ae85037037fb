using System.Formats.Tar;
using System.Text;

namespace Lethe.Machine.Bench;

/// <summary>
/// The tree lethe bench share unpacks: a source-tree-like layout (top folders, packages in them, 20
/// files per package) of small text files, 200 bytes to 4 KiB, the same for the same count on every
/// host. The plan is pure; <see cref="WriteTar"/> writes it to a stream as a tarball.
/// </summary>
public static class ShareTree
{
    public const int FilesPerFolder = 20;
    public const int FoldersPerTop = 10;
    public const int MinFileBytes = 200;
    public const int MaxFileBytes = 4096;
    private static readonly string[] Extensions = [".c", ".h", ".cs", ".md", ".json", ".txt"];

    public sealed record Entry(string Path, int Bytes, uint Seed);

    /// <summary>Pure: the files, in order: top{NN}/pkg{N}/file{NNN}{ext}, sizes from a fixed pseudo-random sequence.</summary>
    public static IReadOnlyList<Entry> Plan(int files)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(files);
        var entries = new List<Entry>(files);
        var state = 0x9E3779B9u;
        for (var i = 0; i < files; i++)
        {
            state = Next(state);
            var folder = i / FilesPerFolder;
            var path = $"top{folder / FoldersPerTop:D3}/pkg{folder % FoldersPerTop}/file{i % FilesPerFolder:D2}{Extensions[i % Extensions.Length]}";
            entries.Add(new Entry(path, MinFileBytes + (int)(state % (MaxFileBytes - MinFileBytes + 1)), state));
        }
        return entries;
    }

    /// <summary>Pure: the folders the plan needs, parents first.</summary>
    public static IReadOnlyList<string> Folders(IReadOnlyList<Entry> plan) =>
        [.. plan.Select(e => System.IO.Path.GetDirectoryName(e.Path)!)
            .SelectMany(d => new[] { d[..d.IndexOf('/', StringComparison.Ordinal)], d })
            .Distinct(StringComparer.Ordinal)];

    public static long TotalBytes(IReadOnlyList<Entry> plan) => plan.Sum(e => (long)e.Bytes);

    /// <summary>Pure: a file's text, lines of printable ASCII that differ from file to file (so git stores each one).</summary>
    public static byte[] Content(Entry entry)
    {
        var text = new StringBuilder(entry.Bytes + 80);
        var state = entry.Seed;
        text.Append("// ").Append(entry.Path).Append('\n');
        while (text.Length < entry.Bytes)
        {
            state = Next(state);
            text.Append("int value_").Append(state.ToString("x8", System.Globalization.CultureInfo.InvariantCulture)).Append(" = ").Append(state % 1000).Append(";\n");
        }
        return Encoding.ASCII.GetBytes(text.ToString(0, entry.Bytes - 1) + "\n");
    }

    /// <summary>The plan as a tar stream (folders 0755, files 0644, a fixed date, owner 0).</summary>
    public static void WriteTar(Stream output, IReadOnlyList<Entry> plan)
    {
        var date = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        using var tar = new TarWriter(output, TarEntryFormat.Ustar, leaveOpen: true);
        foreach (var folder in Folders(plan))
            tar.WriteEntry(new UstarTarEntry(TarEntryType.Directory, folder + "/")
                { Mode = (UnixFileMode)0b111_101_101, ModificationTime = date });
        foreach (var entry in plan)
        {
            using var data = new MemoryStream(Content(entry));
            tar.WriteEntry(new UstarTarEntry(TarEntryType.RegularFile, entry.Path)
                { Mode = (UnixFileMode)0b110_100_100, ModificationTime = date, DataStream = data });
        }
    }

    /// <summary>xorshift32: cheap, and the same everywhere.</summary>
    private static uint Next(uint x)
    {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        return x;
    }
}
