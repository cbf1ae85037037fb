using System.Buffers.Binary;

namespace Lethe.Image.Kernel;

/// <summary>Checks that a file is a 64-bit little-endian ELF kernel that QEMU can boot by PVH.</summary>
public static class ElfKernel
{
    public static ReadOnlySpan<byte> ElfMagic => [0x7F, (byte)'E', (byte)'L', (byte)'F'];

    /// <summary>XEN_ELFNOTE_PHYS32_ENTRY: the 32-bit entry point a PVH loader jumps to.</summary>
    public const uint PvhEntryNoteType = 18;
    private const uint ProgramTypeNote = 4;

    public static bool StartsWithElfMagic(ReadOnlySpan<byte> data) => data.StartsWith(ElfMagic);

    /// <summary>Whether a PT_NOTE segment carries a note named "Xen" of type <see cref="PvhEntryNoteType"/>.</summary>
    public static bool HasPvhEntryNote(Stream elf)
    {
        var header = ReadAt(elf, 0, 64);
        if (header.Length < 64 || !StartsWithElfMagic(header))
            return false;
        if (header[4] != 2 || header[5] != 1)
            throw new InvalidDataException("the kernel is not a 64-bit little-endian ELF file");
        var programHeaderOffset = (long)BinaryPrimitives.ReadUInt64LittleEndian(header.AsSpan(0x20));
        var entrySize = BinaryPrimitives.ReadUInt16LittleEndian(header.AsSpan(0x36));
        var entryCount = BinaryPrimitives.ReadUInt16LittleEndian(header.AsSpan(0x38));
        for (var index = 0; index < entryCount; index++)
        {
            var entry = ReadAt(elf, programHeaderOffset + (long)index * entrySize, 56);
            if (entry.Length < 56 || BinaryPrimitives.ReadUInt32LittleEndian(entry) != ProgramTypeNote)
                continue;
            var offset = (long)BinaryPrimitives.ReadUInt64LittleEndian(entry.AsSpan(8));
            var size = (long)BinaryPrimitives.ReadUInt64LittleEndian(entry.AsSpan(32));
            if (size is > 0 and < 1 << 20 && ContainsPvhNote(ReadAt(elf, offset, (int)size)))
                return true;
        }
        return false;
    }

    /// <summary>Walks ELF notes: namesz, descsz, type, then name and descriptor, each padded to 4 bytes.</summary>
    public static bool ContainsPvhNote(ReadOnlySpan<byte> notes)
    {
        var position = 0;
        while (position + 12 <= notes.Length)
        {
            var nameSize = (int)BinaryPrimitives.ReadUInt32LittleEndian(notes[position..]);
            var descriptorSize = (int)BinaryPrimitives.ReadUInt32LittleEndian(notes[(position + 4)..]);
            var type = BinaryPrimitives.ReadUInt32LittleEndian(notes[(position + 8)..]);
            var nameStart = position + 12;
            if (nameSize < 0 || descriptorSize < 0 || nameStart + nameSize > notes.Length)
                return false;
            var name = notes.Slice(nameStart, nameSize).TrimEnd((byte)0);
            if (type == PvhEntryNoteType && name.SequenceEqual("Xen"u8))
                return true;
            position = nameStart + Align4(nameSize) + Align4(descriptorSize);
        }
        return false;
    }

    private static int Align4(int value) => (value + 3) & ~3;

    private static byte[] ReadAt(Stream stream, long offset, int count)
    {
        if (offset < 0 || offset >= stream.Length)
            return [];
        stream.Position = offset;
        var buffer = new byte[(int)Math.Min(count, stream.Length - offset)];
        stream.ReadExactly(buffer);
        return buffer;
    }
}
