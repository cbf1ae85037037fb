using System.Buffers.Binary;
using Lethe.Core;
using Lethe.Image.Kernel;
using Lethe.Image.Tools;

namespace Lethe.Tests.Image;

public sealed class KernelTests
{
    [Fact]
    public void The_payload_is_where_the_setup_header_says()
    {
        var image = MakeBzImage(setupSectors: 1, payload: [.. Xz, 1, 2, 3], declare: true);

        Lethe.Image.Kernel.BzImage.FindXzPayload(image).ShouldBe((1024 + 16, 9));
    }

    [Fact]
    public void Without_payload_fields_the_first_xz_magic_after_the_setup_code_is_taken()
    {
        var image = MakeBzImage(setupSectors: 0, payload: [.. Xz, 9], declare: false);
        Xz.CopyTo(image.AsSpan(600)); // inside the setup code: must be ignored

        Lethe.Image.Kernel.BzImage.FindXzPayload(image).ShouldBe((5 * 512 + 16, image.Length - (5 * 512 + 16)));
    }

    [Fact]
    public void Not_a_bzimage_or_no_xz_stream_is_an_error()
    {
        Should.Throw<InvalidDataException>(() => Lethe.Image.Kernel.BzImage.FindXzPayload(new byte[4096])).Message.ShouldContain("HdrS");
        Should.Throw<InvalidDataException>(() => Lethe.Image.Kernel.BzImage.FindXzPayload(MakeBzImage(1, [0x1F, 0x8B, 8, 0], declare: true)))
            .Message.ShouldContain("xz");
    }

    [Fact]
    public void A_pvh_entry_note_is_found_in_a_note_segment()
    {
        ElfKernel.HasPvhEntryNote(new MemoryStream(Elf(withPvhNote: true))).ShouldBeTrue();
        ElfKernel.HasPvhEntryNote(new MemoryStream(Elf(withPvhNote: false))).ShouldBeFalse();
        ElfKernel.HasPvhEntryNote(new MemoryStream([1, 2, 3])).ShouldBeFalse();
    }

    [Fact]
    public void Notes_of_another_name_or_type_are_not_pvh()
    {
        ElfKernel.ContainsPvhNote(Note("Xen", ElfKernel.PvhEntryNoteType, 8)).ShouldBeTrue();
        ElfKernel.ContainsPvhNote(Note("GNU", ElfKernel.PvhEntryNoteType, 8)).ShouldBeFalse();
        ElfKernel.ContainsPvhNote([.. Note("Xen", 6, 6), .. Note("Xen", 5, 8)]).ShouldBeFalse();
        ElfKernel.ContainsPvhNote([.. Note("Xen", 6, 6), .. Note("Xen", 18, 8)]).ShouldBeTrue();
    }

    [Fact(Timeout = 60_000)]
    public async Task A_bzimage_is_turned_back_into_its_elf_kernel_with_the_system_xz()
    {
        using var scratch = new ScratchFolder();
        var elf = Elf(withPvhNote: true);
        var bzImage = scratch.Combine("vmlinuz");
        await File.WriteAllBytesAsync(bzImage, MakeBzImage(1, [.. await CompressAsync(elf), 0x10, 0, 0, 0], declare: true), TestContext.Current.CancellationToken);

        await KernelExtractor.ExtractAsync(bzImage, scratch.Combine("vmlinux"), TestContext.Current.CancellationToken);

        (await File.ReadAllBytesAsync(scratch.Combine("vmlinux"), TestContext.Current.CancellationToken)).ShouldBe(elf);
    }

    [Fact(Timeout = 60_000)]
    public async Task A_kernel_without_pvh_support_is_refused_clearly()
    {
        using var scratch = new ScratchFolder();
        var bzImage = scratch.Combine("vmlinuz");
        await File.WriteAllBytesAsync(bzImage, MakeBzImage(1, await CompressAsync(Elf(withPvhNote: false)), declare: true), TestContext.Current.CancellationToken);

        var error = await Should.ThrowAsync<LetheException>(() => KernelExtractor.ExtractAsync(bzImage, scratch.Combine("vmlinux"), TestContext.Current.CancellationToken));
        error.Message.ShouldContain("PVH");
    }

    private static byte[] Xz => [.. Lethe.Image.Kernel.BzImage.XzMagic];

    private static byte[] MakeBzImage(int setupSectors, byte[] payload, bool declare)
    {
        var start = ((setupSectors == 0 ? 4 : setupSectors) + 1) * 512;
        var image = new byte[start + 16 + payload.Length];
        image[0x1F1] = (byte)setupSectors;
        "HdrS"u8.CopyTo(image.AsSpan(0x202));
        if (declare)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(image.AsSpan(0x248), 16);
            BinaryPrimitives.WriteUInt32LittleEndian(image.AsSpan(0x24C), (uint)payload.Length);
        }
        payload.CopyTo(image.AsSpan(start + 16));
        return image;
    }

    /// <summary>A minimal ELF64 file: header, one PT_NOTE program header, its notes.</summary>
    private static byte[] Elf(bool withPvhNote)
    {
        byte[] notes = [.. Note("Xen", 6, 6), .. Note(withPvhNote ? "Xen" : "GNU", ElfKernel.PvhEntryNoteType, 8)];
        var elf = new byte[64 + 56 + notes.Length];
        ElfKernel.ElfMagic.CopyTo(elf);
        elf[4] = 2;
        elf[5] = 1;
        BinaryPrimitives.WriteUInt64LittleEndian(elf.AsSpan(0x20), 64);
        BinaryPrimitives.WriteUInt16LittleEndian(elf.AsSpan(0x36), 56);
        BinaryPrimitives.WriteUInt16LittleEndian(elf.AsSpan(0x38), 1);
        BinaryPrimitives.WriteUInt32LittleEndian(elf.AsSpan(64), 4);
        BinaryPrimitives.WriteUInt64LittleEndian(elf.AsSpan(64 + 8), 120);
        BinaryPrimitives.WriteUInt64LittleEndian(elf.AsSpan(64 + 32), (ulong)notes.Length);
        notes.CopyTo(elf.AsSpan(120));
        return elf;
    }

    private static byte[] Note(string name, uint type, int descriptorSize)
    {
        var nameSize = name.Length + 1;
        var note = new byte[12 + ((nameSize + 3) & ~3) + ((descriptorSize + 3) & ~3)];
        BinaryPrimitives.WriteUInt32LittleEndian(note, (uint)nameSize);
        BinaryPrimitives.WriteUInt32LittleEndian(note.AsSpan(4), (uint)descriptorSize);
        BinaryPrimitives.WriteUInt32LittleEndian(note.AsSpan(8), type);
        System.Text.Encoding.ASCII.GetBytes(name).CopyTo(note.AsSpan(12));
        return note;
    }

    private static async Task<byte[]> CompressAsync(byte[] data)
    {
        using var output = new MemoryStream();
        await BinaryPipe.RunAsync(new HostCommand("xz").WithArguments("-c", "--check=crc32"), data, output, TestContext.Current.CancellationToken);
        return output.ToArray();
    }
}
