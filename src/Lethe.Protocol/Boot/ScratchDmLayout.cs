using System.Buffers.Binary;
using System.Text;

namespace Lethe.Protocol.Boot;

/// <summary>
/// Pure: the byte layout of the device-mapper ioctl interface (linux/dm-ioctl.h, version 4), as the
/// guest's <c>DeviceMapper</c> fills and reads it. Checked against the uapi header: struct dm_ioctl
/// is 312 bytes, struct dm_target_spec 40, and every command is _IOWR(0xfd, nr, struct dm_ioctl).
/// </summary>
public static class ScratchDmLayout
{
    public const int HeaderSize = 312;
    public const int TargetSpecSize = 40;
    public const int NameLength = 128;
    public const int UuidLength = 129;
    public const int TypeLength = 16;
    public const uint VersionMajor = 4;

    // struct dm_ioctl
    private const int DataSizeAt = 12, DataStartAt = 16, TargetCountAt = 20, FlagsAt = 28, DevAt = 40, NameAt = 48, UuidAt = 176;
    // struct dm_target_spec
    private const int SectorStartAt = 0, LengthAt = 8, NextAt = 20, TypeAt = 24;

    public const uint SuspendFlag = 1 << 1;
    public const uint BufferFullFlag = 1 << 8;
    /// <summary>The kernel wipes its copies of the ioctl buffer after use: for tables that carry a key.</summary>
    public const uint SecureDataFlag = 1 << 15;

    /// <summary>_IOWR(0xfd, nr, struct dm_ioctl): read-write (3 &lt;&lt; 30), size 312 (0x138), type 0xfd.</summary>
    public static uint Request(DmCommand command) => 0xC138FD00u | (uint)command;

    /// <summary>Clears <paramref name="buffer"/> and fills in the header of a request for the device <paramref name="name"/>.</summary>
    public static void WriteHeader(Span<byte> buffer, string? name, string? uuid = null, uint flags = 0, int targetCount = 0)
    {
        if (buffer.Length < HeaderSize)
            throw new ArgumentException($"a dm ioctl buffer holds at least {HeaderSize} bytes", nameof(buffer));
        buffer.Clear();
        BinaryPrimitives.WriteUInt32LittleEndian(buffer, VersionMajor);
        BinaryPrimitives.WriteUInt32LittleEndian(buffer[DataSizeAt..], (uint)buffer.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(buffer[DataStartAt..], HeaderSize);
        BinaryPrimitives.WriteUInt32LittleEndian(buffer[TargetCountAt..], (uint)targetCount);
        BinaryPrimitives.WriteUInt32LittleEndian(buffer[FlagsAt..], flags);
        WriteText(buffer.Slice(NameAt, NameLength), name ?? "", "name");
        WriteText(buffer.Slice(UuidAt, UuidLength), uuid ?? "", "uuid");
    }

    /// <summary>The size of a table-load buffer for one target: header, target spec, parameters and NUL, 8-byte aligned.</summary>
    public static int TableLoadSize(int paramsLength) => Align8(HeaderSize + TargetSpecSize + paramsLength + 1);

    /// <summary>
    /// Fills a table-load buffer of <see cref="TableLoadSize"/> bytes with one target and returns the
    /// span where the caller writes the parameters (already zeroed, the NUL after it included).
    /// </summary>
    public static Span<byte> WriteSingleTarget(Span<byte> buffer, string name, ulong sectorStart, ulong length, string targetType, int paramsLength, uint flags = 0)
    {
        if (buffer.Length != TableLoadSize(paramsLength))
            throw new ArgumentException($"the buffer must be {TableLoadSize(paramsLength)} bytes", nameof(buffer));
        WriteHeader(buffer, name, flags: flags, targetCount: 1);
        var spec = buffer[HeaderSize..];
        BinaryPrimitives.WriteUInt64LittleEndian(spec[SectorStartAt..], sectorStart);
        BinaryPrimitives.WriteUInt64LittleEndian(spec[LengthAt..], length);
        BinaryPrimitives.WriteUInt32LittleEndian(spec[NextAt..], (uint)spec.Length);
        WriteText(spec.Slice(TypeAt, TypeLength), targetType, "target type");
        return spec.Slice(TargetSpecSize, paramsLength);
    }

    public static uint Flags(ReadOnlySpan<byte> buffer) => BinaryPrimitives.ReadUInt32LittleEndian(buffer[FlagsAt..]);

    public static uint Major(ReadOnlySpan<byte> buffer) => BinaryPrimitives.ReadUInt32LittleEndian(buffer);

    public static ulong Dev(ReadOnlySpan<byte> buffer) => BinaryPrimitives.ReadUInt64LittleEndian(buffer[DevAt..]);

    /// <summary>The kernel's huge_encode_dev: minor's low byte, then 12 bits of major, then the rest of minor.</summary>
    public static (uint Major, uint Minor) DecodeDev(ulong dev) =>
        ((uint)((dev >> 8) & 0xFFF), (uint)((dev & 0xFF) | ((dev >> 12) & 0xFFF00)));

    /// <summary>glibc's makedev, for mknod(2).</summary>
    public static ulong MakeDev(uint major, uint minor) =>
        (((ulong)major & 0xFFFFF000) << 32) | (((ulong)major & 0xFFF) << 8) | (((ulong)minor & 0xFFFFFF00) << 12) | ((ulong)minor & 0xFF);

    /// <summary>
    /// The target type names in a DM_TABLE_STATUS answer. Only the names: the parameters are never
    /// read (for crypt, the table form would carry the key). Null when the answer is malformed or did
    /// not fit.
    /// </summary>
    public static IReadOnlyList<string>? TargetTypes(ReadOnlySpan<byte> buffer)
    {
        if (buffer.Length < HeaderSize || (Flags(buffer) & BufferFullFlag) != 0)
            return null;
        var count = BinaryPrimitives.ReadUInt32LittleEndian(buffer[TargetCountAt..]);
        var start = BinaryPrimitives.ReadUInt32LittleEndian(buffer[DataStartAt..]);
        var types = new List<string>();
        long offset = 0;
        for (var i = 0; i < count; i++)
        {
            var at = start + offset;
            if (at < HeaderSize || at + TargetSpecSize > buffer.Length)
                return null;
            var spec = buffer.Slice((int)at, TargetSpecSize);
            types.Add(ReadText(spec.Slice(TypeAt, TypeLength)));
            var next = BinaryPrimitives.ReadUInt32LittleEndian(spec[NextAt..]);
            if (i + 1 < count && next <= offset)
                return null;
            offset = next;
        }
        return types;
    }

    private static int Align8(int size) => (size + 7) & ~7;

    /// <summary>ASCII, NUL-terminated within the field.</summary>
    private static void WriteText(Span<byte> field, string text, string what)
    {
        if (text.Length >= field.Length || text.Any(c => c is < ' ' or > '~'))
            throw new ArgumentException($"the {what} must be printable ASCII shorter than {field.Length} characters");
        Encoding.ASCII.GetBytes(text, field);
    }

    private static string ReadText(ReadOnlySpan<byte> field)
    {
        var end = field.IndexOf((byte)0);
        return Encoding.ASCII.GetString(end < 0 ? field : field[..end]);
    }
}

/// <summary>The dm ioctl command numbers (the nr of _IOWR) lethe uses.</summary>
public enum DmCommand : uint
{
    Version = 0,
    DeviceCreate = 3,
    DeviceRemove = 4,
    DeviceSuspend = 6,
    DeviceStatus = 7,
    TableLoad = 9,
    TableStatus = 12,
}
