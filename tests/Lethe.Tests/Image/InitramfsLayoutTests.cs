using Lethe.Image.Cpio;
using Lethe.Image.Initramfs;
using Lethe.Protocol.Modules;

namespace Lethe.Tests.Image;

public sealed class InitramfsLayoutTests
{
    private static readonly ModuleTable Modules = ModuleTable.Parse(
        "crc32c_generic\tkernel/crypto/crc32c_generic.ko\t\n" +
        "libcrc32c\tkernel/lib/libcrc32c.ko\tcrc32c_generic\n" +
        "erofs\tkernel/fs/erofs/erofs.ko\tlibcrc32c\n");

    private static IReadOnlyList<ArchiveEntry> Plan() => InitramfsLayout.Plan(new InitramfsInputs(
        "/build/lethe-init",
        ["/lib/x86_64-linux-gnu/libm.so.6", "/lib/x86_64-linux-gnu/libc.so.6", "/lib64/ld-linux-x86-64.so.2"],
        Modules,
        "/cache/rootfs/key/modules",
        "6.1.0-50-amd64"));

    [Fact]
    public void Init_libraries_module_table_and_modules_are_at_their_places()
    {
        var entries = Plan().ToDictionary(entry => entry.Path);

        entries["init"].ShouldBe(new ArchiveHostFile("init", "/build/lethe-init", 0b111_101_101));
        entries["lib/x86_64-linux-gnu/libc.so.6"].ShouldBe(new ArchiveHostFile("lib/x86_64-linux-gnu/libc.so.6", "/lib/x86_64-linux-gnu/libc.so.6", 0b111_101_101));
        entries.ShouldContainKey("lib64/ld-linux-x86-64.so.2");
        entries["lethe/modules"].ShouldBe(new ArchiveText("lethe/modules", Modules.Format()));
        entries["lib/modules/6.1.0-50-amd64/kernel/fs/erofs/erofs.ko"]
            .ShouldBe(new ArchiveHostFile("lib/modules/6.1.0-50-amd64/kernel/fs/erofs/erofs.ko", "/cache/rootfs/key/modules/kernel/fs/erofs/erofs.ko", 0b110_100_100));
        entries["dev/console"].ShouldBe(new ArchiveCharacterDevice("dev/console", 5, 1));
    }

    [Fact]
    public void Mount_points_exist_and_every_parent_folder_comes_before_its_content()
    {
        var plan = Plan();
        var paths = plan.Select(entry => entry.Path).ToList();

        foreach (var folder in new[] { "dev", "proc", "sys", "run", "newroot", "lower", "rw", "lethe" })
            plan.ShouldContain(new ArchiveDirectory(folder));
        paths.ShouldBe(paths.Order(StringComparer.Ordinal).ToList());
        paths.Distinct().Count().ShouldBe(paths.Count);
        foreach (var path in paths.Where(path => path.Contains('/')))
        {
            var parent = path[..path.LastIndexOf('/')];
            paths.IndexOf(parent).ShouldBeInRange(0, paths.IndexOf(path) - 1, $"{parent} before {path}");
            plan[paths.IndexOf(parent)].ShouldBeOfType<ArchiveDirectory>();
        }
    }

    [Fact]
    public void The_plan_does_not_depend_on_the_order_libraries_are_given()
    {
        var reversed = InitramfsLayout.Plan(new InitramfsInputs(
            "/build/lethe-init",
            ["/lib64/ld-linux-x86-64.so.2", "/lib/x86_64-linux-gnu/libc.so.6", "/lib/x86_64-linux-gnu/libm.so.6"],
            Modules,
            "/cache/rootfs/key/modules",
            "6.1.0-50-amd64"));

        reversed.ShouldBe(Plan());
    }

    [Fact]
    public void Ldd_output_gives_library_paths_and_the_loader_but_not_the_vdso()
    {
        const string Output = """
                linux-vdso.so.1 (0x00007ffd2d5f2000)
                libm.so.6 => /lib/x86_64-linux-gnu/libm.so.6 (0x00007f0a4c1a0000)
                libc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x00007f0a4bfbf000)
                /lib64/ld-linux-x86-64.so.2 (0x00007f0a4c2a3000)
            """;

        LddOutput.Parse(Output).ShouldBe(["/lib/x86_64-linux-gnu/libm.so.6", "/lib/x86_64-linux-gnu/libc.so.6", "/lib64/ld-linux-x86-64.so.2"]);
    }

    [Fact]
    public void A_static_program_needs_no_libraries_and_a_missing_one_is_an_error()
    {
        LddOutput.Parse("\tnot a dynamic executable\n").ShouldBeEmpty();
        LddOutput.Parse("\tstatically linked\n").ShouldBeEmpty();
        Should.Throw<InvalidDataException>(() => LddOutput.Parse("\tlibfoo.so.1 => not found\n")).Message.ShouldContain("libfoo.so.1");
    }

    [Fact(Timeout = 60_000)]
    public async Task The_libraries_of_a_real_dynamic_program_are_found()
    {
        var libraries = await InitramfsBuilder.SharedLibrariesAsync("/bin/true", TestContext.Current.CancellationToken);

        libraries.ShouldContain(path => path.EndsWith("/libc.so.6", StringComparison.Ordinal));
        libraries.ShouldContain(path => path.Contains("ld-linux", StringComparison.Ordinal));
    }
}
