using System.Text;
using Lethe.Protocol.Boot;

namespace Lethe.Tests.Scratch;

public sealed class ScratchPlanTests
{
    private static readonly byte[] Key = Enumerable.Range(0, 64).Select(i => (byte)(i * 4 + 3)).ToArray();

    private static string Params(string device, bool allowDiscards)
    {
        var buffer = new byte[ScratchPlan.CryptParamsLength(device, allowDiscards)];
        var length = ScratchPlan.WriteCryptParams(Key, device, allowDiscards, buffer);
        length.ShouldBe(buffer.Length);
        return Encoding.ASCII.GetString(buffer, 0, length);
    }

    [Fact]
    public void The_crypt_table_is_plain_aes_xts_with_the_key_in_hex_and_no_offsets()
    {
        Params("/dev/vdb", allowDiscards: false).ShouldBe($"aes-xts-plain64 {Convert.ToHexStringLower(Key)} 0 /dev/vdb 0");
    }

    [Fact]
    public void Discards_are_passed_through_only_when_asked_for()
    {
        Params("/dev/vdc", allowDiscards: true).ShouldBe($"aes-xts-plain64 {Convert.ToHexStringLower(Key)} 0 /dev/vdc 0 1 allow_discards");
    }

    [Fact]
    public void The_key_must_be_512_bits_and_the_device_a_plain_path()
    {
        var buffer = new byte[400];
        Should.Throw<ArgumentException>(() => ScratchPlan.WriteCryptParams(new byte[32], "/dev/vdb", false, buffer));
        Should.Throw<ArgumentException>(() => ScratchPlan.WriteCryptParams(Key, "/dev/vd b", false, buffer));
        Should.Throw<ArgumentException>(() => ScratchPlan.WriteCryptParams(Key, "/dev/vdb", false, new byte[10]));
    }

    [Fact]
    public void Mkfs_runs_the_images_mke2fs_through_its_own_loader_without_zeroing_or_discarding()
    {
        var mkfs = ScratchPlan.Mkfs("/dev/dm-0");
        mkfs.Program.ShouldBe("/lower/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2");
        mkfs.Arguments.Take(3).ShouldBe(["--library-path", "/lower/usr/lib/x86_64-linux-gnu", "/lower/usr/sbin/mke2fs"]);
        mkfs.Arguments.ShouldContain("lazy_itable_init=1,lazy_journal_init=1,nodiscard");
        mkfs.Arguments.Skip(3).ShouldBe(["-t", "ext4", "-q", "-F", "-E", "lazy_itable_init=1,lazy_journal_init=1,nodiscard", "-m", "0", "/dev/dm-0"]);
        mkfs.Environment["MKE2FS_CONFFILE"].ShouldBe("/lower/etc/mke2fs.conf");
    }

    [Fact]
    public void The_mapping_is_mounted_as_ext4_nosuid_nodev_and_never_zeroed_in_the_background()
    {
        var mount = ScratchPlan.Mount("/dev/dm-0", "/scratch");
        mount.ShouldBe(new Mount("/dev/dm-0", "/scratch", "ext4", MountOptions.NoSuid | MountOptions.NoDev, "noinit_itable"));
    }

    [Fact]
    public void The_fallback_is_a_capped_tmpfs_owned_by_the_user()
    {
        var mount = ScratchPlan.Fallback("/scratch", 256, 1000, 1000);
        mount.FsType.ShouldBe("tmpfs");
        mount.Options.ShouldBe(MountOptions.NoSuid | MountOptions.NoDev);
        mount.Data.ShouldBe("mode=0755,uid=1000,gid=1000,size=256m");
    }

    [Theory]
    [InlineData("/dev/vdb", "/sys/class/block/vdb/size")]
    [InlineData("/dev/vdaa", "/sys/class/block/vdaa/size")]
    [InlineData("/dev/../etc/passwd", null)]
    [InlineData("/dev/", null)]
    [InlineData("vdb", null)]
    public void The_size_is_read_from_sysfs_for_plain_device_names_only(string device, string? expected) =>
        ScratchPlan.SizeFile(device).ShouldBe(expected);

    [Theory]
    [InlineData("2097152\n", 2097152L)]
    [InlineData("0\n", null)]
    [InlineData("-5", null)]
    [InlineData("lots", null)]
    public void The_sector_count_must_be_positive(string text, long? expected) =>
        ScratchPlan.ParseSectors(text).ShouldBe(expected);
}
