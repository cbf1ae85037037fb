using System.Text;
using Lethe.Core;
using Lethe.Image.Cpio;

namespace Lethe.Tests.Image;

/// <summary>Archives are read back with the system's GNU cpio.</summary>
public sealed class CpioWriterTests
{
    private const int Mode755 = 0b111_101_101;
    private const int Mode644 = 0b110_100_100;

    [Fact(Timeout = 60_000)]
    public async Task Directories_files_and_symlinks_come_back_out_of_cpio()
    {
        using var scratch = new ScratchFolder();
        var source = scratch.Write("source.bin", "from a host file\n");
        var archive = Write(scratch, writer =>
        {
            writer.AddDirectory("etc", Mode755);
            writer.AddFile("etc/motd", "hello\n"u8, 0b110_000_000);
            writer.AddFile("/bin/tool", source, Mode755);
            writer.AddSymlink("etc/greeting", "motd");
            writer.AddFile("odd-length-name", "x"u8, Mode644);
        });

        var output = Directory.CreateDirectory(scratch.Combine("out")).FullName;
        await new HostCommand("cpio").WithArguments("-idm", "--quiet", "-F", archive).WithWorkingDirectory(output).RunAsync(TestContext.Current.CancellationToken);

        File.ReadAllText(Path.Combine(output, "etc/motd")).ShouldBe("hello\n");
        File.GetUnixFileMode(Path.Combine(output, "etc/motd")).ShouldBe(UnixFileMode.UserRead | UnixFileMode.UserWrite);
        File.ReadAllText(Path.Combine(output, "bin/tool")).ShouldBe("from a host file\n");
        File.GetUnixFileMode(Path.Combine(output, "bin/tool")).ShouldBe((UnixFileMode)Mode755);
        new FileInfo(Path.Combine(output, "etc/greeting")).LinkTarget.ShouldBe("motd");
        File.ReadAllText(Path.Combine(output, "odd-length-name")).ShouldBe("x");
        File.GetLastWriteTimeUtc(Path.Combine(output, "etc/motd")).ShouldBe(DateTime.UnixEpoch);
    }

    [Fact(Timeout = 60_000)]
    public async Task The_listing_shows_owners_modes_device_numbers_and_the_given_time()
    {
        using var scratch = new ScratchFolder();
        var archive = Write(scratch, writer =>
        {
            writer.AddDirectory("home/dev", 0b111_000_000, uid: 1000, gid: 1001);
            writer.AddCharacterDevice("dev/console", 5, 1);
            writer.AddFile("home/dev/notes", "n"u8, Mode644, uid: 1000, gid: 1001);
        }, modificationTime: 1704067200);

        var listing = await new HostCommand("cpio").WithArguments("-tv", "--numeric-uid-gid", "--quiet", "-F", archive).RunAsync(TestContext.Current.CancellationToken);

        var lines = listing.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        lines.Length.ShouldBe(3);
        lines[0].ShouldStartWith("drwx------");
        lines[0].ShouldContain("1000     1001");
        lines[0].ShouldEndWith("home/dev");
        lines[1].ShouldStartWith("crw-------");
        lines[1].ShouldContain("5,   1");
        lines[2].ShouldStartWith("-rw-r--r--");
        lines[2].ShouldContain("Jan  1  2024");
    }

    [Fact]
    public void The_same_entries_give_the_same_bytes_with_inodes_counting_from_one()
    {
        static byte[] Build()
        {
            using var buffer = new MemoryStream();
            var writer = new CpioWriter(buffer);
            writer.AddDirectory("lethe", Mode755);
            writer.AddFile("lethe/seed.json", "{}"u8, Mode644);
            writer.Finish();
            return buffer.ToArray();
        }

        var first = Build();
        first.ShouldBe(Build());
        first.Length.ShouldBe(first.Length / 4 * 4);
        var text = Encoding.ASCII.GetString(first);
        text[..14].ShouldBe("07070100000001");
        text.ShouldContain("07070100000002");
        text.ShouldContain("TRAILER!!!");
    }

    [Fact]
    public void Every_header_starts_four_byte_aligned()
    {
        using var buffer = new MemoryStream();
        var writer = new CpioWriter(buffer);
        writer.AddFile("a", "123"u8);
        writer.AddFile("bb", "12345"u8);
        writer.AddSymlink("ccc", "a");
        writer.Finish();

        var bytes = buffer.ToArray();
        var text = Encoding.ASCII.GetString(bytes);
        var headers = Enumerable.Range(0, text.Length - 6).Where(index => text.AsSpan(index).StartsWith("070701")).ToList();
        headers.Count.ShouldBe(4);
        headers.ShouldAllBe(offset => offset % 4 == 0);
        (bytes.Length % 4).ShouldBe(0);
    }

    [Theory]
    [InlineData("")]
    [InlineData("/")]
    [InlineData("../etc/passwd")]
    [InlineData("a/../../b")]
    [InlineData("a//b")]
    [InlineData("./a")]
    public void Paths_that_are_empty_or_climb_out_are_refused(string path)
    {
        var writer = new CpioWriter(new MemoryStream());
        Should.Throw<ArgumentException>(() => writer.AddFile(path, "x"u8));
    }

    [Fact]
    public void Nothing_can_be_added_after_finish()
    {
        var writer = new CpioWriter(new MemoryStream());
        writer.Finish();
        Should.Throw<InvalidOperationException>(() => writer.AddDirectory("x"));
        Should.Throw<InvalidOperationException>(writer.Finish);
    }

    private static string Write(ScratchFolder scratch, Action<CpioWriter> fill, long modificationTime = 0)
    {
        var path = scratch.Combine("archive.cpio");
        using (var stream = File.Create(path))
        {
            var writer = new CpioWriter(stream, modificationTime);
            fill(writer);
            writer.Finish();
        }
        return path;
    }
}
