using Lethe.Core;
using Lethe.Image;
using Lethe.Machine.Accel;
using Lethe.Machine.Run;
using Lethe.Machine.Secrets;
using Lethe.Machine.Seed;
using Lethe.Machine.Usb;
using Lethe.Protocol;
using Lethe.Protocol.Boot;
using Lethe.Spec;

namespace Lethe.Tests.Secrets;

/// <summary>What boot preparation does with share.git_config and usb, on a fake host.</summary>
public sealed class BootStagingTests : IDisposable
{
    private const string Token = "ghp_0123456789abcdefghijABCDEFGHIJ012345";
    private readonly string _home = Directory.CreateTempSubdirectory("lethe-staging-").FullName;

    public void Dispose() => Directory.Delete(_home, true);

    private sealed class FakeHost : IBootHost
    {
        public int ImagesBuilt { get; private set; }
        public Task<HostFacts> ReadHostFactsAsync(CancellationToken stop) => Task.FromResult(new HostFacts(false, false, [], false));
        public Task<string> FileSystemTypeAsync(string folder, CancellationToken stop) => Task.FromResult("ext2/ext3");
        public long AvailableBytes(string folder) => 1L << 40;
        public string? Variable(string name) => null;

        public Task<ImageSet> GetImageAsync(MachineSpec spec, CancellationToken stop)
        {
            ImagesBuilt++;
            return Task.FromResult(new ImageSet("d", "/i", "/i/rootfs.erofs", "/i/vmlinux", "/i/initramfs.cpio", "6.1", [], true));
        }
    }

    private BootPreparation Preparation(FakeHost host, UsbHost? usb = null) =>
        new(new LethePaths(Path.Combine(_home, "cache"), Path.Combine(_home, "state"), Path.Combine(_home, "run")), host,
            usb ?? new UsbHost(Path.Combine(_home, "sys"), Path.Combine(_home, "dev"), "alice", false, _ => true), HostGitConfig());

    private HostGitConfig HostGitConfig() => new(name => name switch
    {
        "HOME" => _home,
        "GIT_CONFIG_GLOBAL" => Path.Combine(_home, "gitconfig"),
        _ => null,
    });

    [Fact]
    public async Task A_missing_usb_device_is_refused_before_any_image_is_built()
    {
        var host = new FakeHost();
        var spec = SpecLoader.Default() with { Usb = [new UsbDeviceSpec("1050", "0407")] };
        var error = await Should.ThrowAsync<HostException>(() => Preparation(host).PrepareAsync(new BootInput { Spec = spec, Name = "m" }, TestContext.Current.CancellationToken));
        error.Message.ShouldBe("usb device 1050:0407: not attached");
        host.ImagesBuilt.ShouldBe(0);
    }

    [Fact]
    public async Task The_sanitized_git_config_reaches_the_seed_and_the_credential_does_not()
    {
        await File.WriteAllTextAsync(Path.Combine(_home, "gitconfig"),
            $"[alias]\n\tst = status\n[credential]\n\thelper = store\n[github]\n\ttoken = {Token}\n[include]\n\tpath = ~/.secrets\n", TestContext.Current.CancellationToken);
        var spec = SpecLoader.Default() with { Share = new ShareSpec { GitConfig = true } };
        var prepared = await Preparation(new FakeHost()).PrepareAsync(new BootInput { Spec = spec, Name = "m" }, TestContext.Current.CancellationToken);
        prepared.Request.GitConfig.ShouldBe("[alias]\n\tst = \"status\"\n");
        prepared.Warnings.ShouldContain("lethe: warning: share.git_config: include and includeIf are dropped (the files they name are not staged)");

        var seed = SeedBuilder.For(prepared.Request);
        seed.GitConfig.ShouldBe(prepared.Request.GitConfig);
        System.Text.Encoding.UTF8.GetString(ProtocolJson.Serialize(seed)).ShouldNotContain(Token);
        SharedConfigPlan.For(seed).ShouldBe(
        [
            new RemoveEntry("/etc/gitconfig", "/etc"),
            new WriteNewFile("/etc/gitconfig", new Ownership(0, 0, 0b110_100_100), "[alias]\n\tst = \"status\"\n"),
        ]);
    }

    [Fact]
    public async Task Without_share_git_config_nothing_is_read_or_staged()
    {
        await File.WriteAllTextAsync(Path.Combine(_home, "gitconfig"), "[alias]\n\tst = status\n", TestContext.Current.CancellationToken);
        var prepared = await Preparation(new FakeHost()).PrepareAsync(new BootInput { Spec = SpecLoader.Default(), Name = "m" }, TestContext.Current.CancellationToken);
        prepared.Request.GitConfig.ShouldBeNull();
        SharedConfigPlan.For(SeedBuilder.For(prepared.Request)).ShouldBeEmpty();
    }

    [Fact]
    public void A_machine_with_usb_devices_tells_the_guest_to_load_the_controllers_driver()
    {
        var request = new BootRequest
        {
            Spec = SpecLoader.Default() with { Usb = [new UsbDeviceSpec("1050", "0407")] },
            Image = new ImageSet("d", "/i", "/i/rootfs.erofs", "/i/vmlinux", "/i/initramfs.cpio", "6.1", [], true),
            Accel = new AccelDecision(Accelerator.Tcg, "test"), MemoryMiB = 512, Cpus = 1,
        };
        SeedBuilder.For(request).Usb.ShouldBeTrue();
        SeedBuilder.For(request with { Spec = SpecLoader.Default() }).Usb.ShouldBeFalse();
        UsbPlan.Modules.ShouldContain("xhci_pci");
    }
}
