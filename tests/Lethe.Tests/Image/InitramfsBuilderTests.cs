using Lethe.Core;
using Lethe.Image.Initramfs;
using Lethe.Protocol.Modules;

namespace Lethe.Tests.Image;

public sealed class InitramfsBuilderTests
{
    [Fact(Timeout = 60_000)]
    public async Task A_dynamic_init_comes_with_its_libraries_modules_and_table_and_the_archive_is_reproducible()
    {
        using var scratch = new ScratchFolder();
        scratch.Write("modules/kernel/fs/overlayfs/overlay.ko", "not really a module");
        var table = ModuleTable.Parse("overlay\tkernel/fs/overlayfs/overlay.ko\t\n");
        var token = TestContext.Current.CancellationToken;

        await InitramfsBuilder.BuildAsync("/bin/true", table, scratch.Combine("modules"), "6.1.0-50-amd64", scratch.Combine("one.cpio"), token);
        await InitramfsBuilder.BuildAsync("/bin/true", table, scratch.Combine("modules"), "6.1.0-50-amd64", scratch.Combine("two.cpio"), token);

        var listing = (await new HostCommand("cpio").WithArguments("-t", "--quiet", "-F", scratch.Combine("one.cpio")).RunAsync(token))
            .Split('\n', StringSplitOptions.RemoveEmptyEntries);
        listing.ShouldContain("init");
        listing.ShouldContain("dev/console");
        listing.ShouldContain("newroot");
        listing.ShouldContain("lethe/modules");
        listing.ShouldContain("lib/modules/6.1.0-50-amd64/kernel/fs/overlayfs/overlay.ko");
        listing.ShouldContain(path => path.EndsWith("/libc.so.6", StringComparison.Ordinal));
        listing.ShouldContain(path => path.EndsWith("/ld-linux-x86-64.so.2", StringComparison.Ordinal));
        File.ReadAllBytes(scratch.Combine("one.cpio")).ShouldBe(File.ReadAllBytes(scratch.Combine("two.cpio")));
    }

    [Fact(Timeout = 60_000)]
    public async Task A_missing_init_binary_is_a_clear_error()
    {
        var error = await Should.ThrowAsync<LetheException>(() =>
            InitramfsBuilder.SharedLibrariesAsync("/nonexistent/lethe-init", TestContext.Current.CancellationToken));

        error.Message.ShouldContain("/nonexistent/lethe-init");
    }
}
