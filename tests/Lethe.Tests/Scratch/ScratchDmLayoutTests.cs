using System.Buffers.Binary;
using System.Text;
using Lethe.Protocol.Boot;

namespace Lethe.Tests.Scratch;

/// <summary>The dm ioctl layout, against the numbers of linux/dm-ioctl.h (checked there with a C program: sizeof 312 and 40).</summary>
public sealed class ScratchDmLayoutTests
{
    [Theory]
    [InlineData(DmCommand.Version, 0xC138FD00u)]
    [InlineData(DmCommand.DeviceCreate, 0xC138FD03u)]
    [InlineData(DmCommand.DeviceRemove, 0xC138FD04u)]
    [InlineData(DmCommand.DeviceSuspend, 0xC138FD06u)]
    [InlineData(DmCommand.DeviceStatus, 0xC138FD07u)]
    [InlineData(DmCommand.TableLoad, 0xC138FD09u)]
    [InlineData(DmCommand.TableStatus, 0xC138FD0Cu)]
    public void Requests_are_iowr_0xfd_with_the_size_of_struct_dm_ioctl(DmCommand command, uint expected) =>
        ScratchDmLayout.Request(command).ShouldBe(expected);

    [Fact]
    public void The_header_carries_version_4_sizes_name_and_uuid_at_their_offsets()
    {
        var buffer = new byte[ScratchDmLayout.HeaderSize];
        buffer.AsSpan().Fill(0xAA);
        ScratchDmLayout.WriteHeader(buffer, "lethe-scratch", "CRYPT-PLAIN-lethe-scratch", flags: 1u << 15);
        BinaryPrimitives.ReadUInt32LittleEndian(buffer.AsSpan(0)).ShouldBe(4u);
        BinaryPrimitives.ReadUInt32LittleEndian(buffer.AsSpan(12)).ShouldBe(312u); // data_size
        BinaryPrimitives.ReadUInt32LittleEndian(buffer.AsSpan(16)).ShouldBe(312u); // data_start
        BinaryPrimitives.ReadUInt32LittleEndian(buffer.AsSpan(28)).ShouldBe(1u << 15); // flags
        Encoding.ASCII.GetString(buffer, 48, 14).ShouldBe("lethe-scratch\0");
        Encoding.ASCII.GetString(buffer, 176, 26).ShouldBe("CRYPT-PLAIN-lethe-scratch\0");
        buffer[305..].ShouldAllBe(b => b == 0);
    }

    [Fact]
    public void Names_that_do_not_fit_are_refused()
    {
        var buffer = new byte[ScratchDmLayout.HeaderSize];
        Should.Throw<ArgumentException>(() => ScratchDmLayout.WriteHeader(buffer, new string('n', 128)));
        Should.Throw<ArgumentException>(() => ScratchDmLayout.WriteHeader(buffer, "bad\nname"));
    }

    [Fact]
    public void A_table_load_holds_one_target_spec_then_its_nul_terminated_params_8_byte_aligned()
    {
        var parameters = "aes-xts-plain64 00 0 /dev/vdb 0"u8;
        var size = ScratchDmLayout.TableLoadSize(parameters.Length);
        size.ShouldBe(312 + 40 + 32); // 31 + NUL = 32
        (size % 8).ShouldBe(0);
        var buffer = new byte[size];
        parameters.CopyTo(ScratchDmLayout.WriteSingleTarget(buffer, "s", 0, 2097152, "crypt", parameters.Length));

        BinaryPrimitives.ReadUInt32LittleEndian(buffer.AsSpan(12)).ShouldBe((uint)size); // data_size
        BinaryPrimitives.ReadUInt32LittleEndian(buffer.AsSpan(20)).ShouldBe(1u); // target_count
        BinaryPrimitives.ReadUInt64LittleEndian(buffer.AsSpan(312)).ShouldBe(0ul); // sector_start
        BinaryPrimitives.ReadUInt64LittleEndian(buffer.AsSpan(320)).ShouldBe(2097152ul); // length
        Encoding.ASCII.GetString(buffer, 312 + 24, 6).ShouldBe("crypt\0");
        Encoding.ASCII.GetString(buffer, 352, parameters.Length + 1).ShouldBe("aes-xts-plain64 00 0 /dev/vdb 0\0");
    }

    [Theory]
    [InlineData(253u, 0u)]
    [InlineData(253u, 7u)]
    [InlineData(254u, 300u)]
    [InlineData(10u, 236u)]
    public void Device_numbers_decode_the_kernels_encoding(uint major, uint minor)
    {
        // new_encode_dev in the kernel
        var encoded = (minor & 0xFFul) | ((ulong)major << 8) | ((minor & ~0xFFul) << 12);
        ScratchDmLayout.DecodeDev(encoded).ShouldBe((major, minor));
    }

    [Fact]
    public void Makedev_matches_glibc()
    {
        ScratchDmLayout.MakeDev(10, 236).ShouldBe(0xAECul);
        ScratchDmLayout.MakeDev(253, 0).ShouldBe(0xFD00ul);
        ScratchDmLayout.MakeDev(1, 256).ShouldBe(0x100100ul);
    }

    [Fact]
    public void Status_answers_yield_only_the_target_type_names()
    {
        var buffer = StatusAnswer(("crypt", ""), ("linear", "8:16 0"));
        ScratchDmLayout.TargetTypes(buffer).ShouldBe(["crypt", "linear"]);
    }

    [Fact]
    public void A_full_or_malformed_status_answer_is_not_read()
    {
        var full = StatusAnswer(("crypt", ""));
        BinaryPrimitives.WriteUInt32LittleEndian(full.AsSpan(28), 1u << 8);
        ScratchDmLayout.TargetTypes(full).ShouldBeNull();

        var beyond = StatusAnswer(("crypt", ""));
        BinaryPrimitives.WriteUInt32LittleEndian(beyond.AsSpan(20), 3u); // claims three targets
        ScratchDmLayout.TargetTypes(beyond).ShouldBeNull();

        ScratchDmLayout.TargetTypes(new byte[100]).ShouldBeNull();
    }

    /// <summary>An answer laid out as the kernel's retrieve_status does: next counts from the first spec.</summary>
    private static byte[] StatusAnswer(params (string Type, string Status)[] targets)
    {
        var buffer = new byte[1024];
        ScratchDmLayout.WriteHeader(buffer, "s", targetCount: targets.Length);
        var offset = 0;
        foreach (var (type, status) in targets)
        {
            var spec = buffer.AsSpan(312 + offset);
            Encoding.ASCII.GetBytes(type, spec[24..]);
            Encoding.ASCII.GetBytes(status, spec[40..]);
            offset = (offset + 40 + status.Length + 1 + 7) & ~7;
            BinaryPrimitives.WriteUInt32LittleEndian(spec[20..], (uint)offset);
        }
        return buffer;
    }
}
