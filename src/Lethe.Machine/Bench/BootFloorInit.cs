using System.Buffers.Binary;
using Lethe.Image.Cpio;

namespace Lethe.Machine.Bench;

/// <summary>
/// Pure: the floor's initramfs. Its /init is a 147-byte static x86-64 program that calls
/// reboot(POWER_OFF) at once (and spins if that fails, since PID 1 must not exit): the least any init
/// can do, so the floor is the kernel's and QEMU's own time. It needs no libc, no loader, no files.
/// </summary>
public static class BootFloorInit
{
    private const ulong LoadAddress = 0x400000;
    private const int HeaderSize = 64, ProgramHeaderSize = 56;

    /// <summary>mov eax,169 (reboot); mov edi,MAGIC1; mov esi,MAGIC2; mov edx,POWER_OFF; xor r10,r10; syscall; jmp $.</summary>
    public static readonly byte[] Code =
    [
        0xb8, 0xa9, 0x00, 0x00, 0x00,
        0xbf, 0xad, 0xde, 0xe1, 0xfe,
        0xbe, 0x69, 0x19, 0x12, 0x28,
        0xba, 0xdc, 0xfe, 0x21, 0x43,
        0x4d, 0x31, 0xd2,
        0x0f, 0x05,
        0xeb, 0xfe,
    ];

    public static byte[] Elf()
    {
        var size = HeaderSize + ProgramHeaderSize + Code.Length;
        var elf = new byte[size];
        var span = elf.AsSpan();
        ReadOnlySpan<byte> ident = [0x7f, (byte)'E', (byte)'L', (byte)'F', 2, 1, 1, 0];
        ident.CopyTo(span);
        BinaryPrimitives.WriteUInt16LittleEndian(span[16..], 2);        // ET_EXEC
        BinaryPrimitives.WriteUInt16LittleEndian(span[18..], 0x3e);     // EM_X86_64
        BinaryPrimitives.WriteUInt32LittleEndian(span[20..], 1);        // EV_CURRENT
        BinaryPrimitives.WriteUInt64LittleEndian(span[24..], LoadAddress + HeaderSize + ProgramHeaderSize); // entry
        BinaryPrimitives.WriteUInt64LittleEndian(span[32..], HeaderSize); // program headers right after this header
        BinaryPrimitives.WriteUInt16LittleEndian(span[52..], HeaderSize);
        BinaryPrimitives.WriteUInt16LittleEndian(span[54..], ProgramHeaderSize);
        BinaryPrimitives.WriteUInt16LittleEndian(span[56..], 1);
        var ph = span[HeaderSize..];
        BinaryPrimitives.WriteUInt32LittleEndian(ph, 1);                // PT_LOAD
        BinaryPrimitives.WriteUInt32LittleEndian(ph[4..], 5);           // R + X
        BinaryPrimitives.WriteUInt64LittleEndian(ph[16..], LoadAddress);
        BinaryPrimitives.WriteUInt64LittleEndian(ph[24..], LoadAddress);
        BinaryPrimitives.WriteUInt64LittleEndian(ph[32..], (ulong)size);
        BinaryPrimitives.WriteUInt64LittleEndian(ph[40..], (ulong)size);
        BinaryPrimitives.WriteUInt64LittleEndian(ph[48..], 0x1000);
        Code.CopyTo(span[(HeaderSize + ProgramHeaderSize)..]);
        return elf;
    }

    /// <summary>The whole initramfs: /dev/console (so the kernel has a console for PID 1) and /init.</summary>
    public static byte[] Initramfs()
    {
        using var buffer = new MemoryStream();
        var writer = new CpioWriter(buffer);
        writer.AddDirectory("dev");
        writer.AddCharacterDevice("dev/console", 5, 1);
        writer.AddFile("init", Elf(), 0b111_101_101);
        writer.Finish();
        return buffer.ToArray();
    }
}
