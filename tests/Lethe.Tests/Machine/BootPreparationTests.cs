using Lethe.Core;
using Lethe.Image;
using Lethe.Machine.Accel;
using Lethe.Machine.Run;
using Lethe.Spec;

namespace Lethe.Tests.Machine;

/// <summary>Boot preparation with a fake host: every decision, and that nothing is built when the boot is refused first.</summary>
public sealed class BootPreparationTests : IDisposable
{
    private readonly string _home = Directory.CreateTempSubdirectory("lethe-prep-").FullName;
    private readonly MachineSpec _spec = SpecLoader.Default();

    public void Dispose() => Directory.Delete(_home, true);

    private sealed class FakeHost(HostFacts facts, string fileSystem = "ext2/ext3", long freeBytes = 1L << 40) : IBootHost
    {
        public int ImagesBuilt { get; private set; }
        public Task<HostFacts> ReadHostFactsAsync(CancellationToken stop) => Task.FromResult(facts);
        public Task<string> FileSystemTypeAsync(string folder, CancellationToken stop) => Task.FromResult(fileSystem);
        public long AvailableBytes(string folder) => freeBytes;
        public string? Variable(string name) => null;

        public Task<ImageSet> GetImageAsync(MachineSpec spec, CancellationToken stop)
        {
            ImagesBuilt++;
            return Task.FromResult(new ImageSet("d", "/i", "/i/rootfs.erofs", "/i/vmlinux", "/i/initramfs.cpio", "6.1", [], true));
        }
    }

    private static readonly HostFacts NoKvm = new(false, false, [], false);
    private static readonly HostFacts GoodKvm = new(true, true, ["kvm_intel"], false);

    private BootPreparation Preparation(FakeHost host) => new(new LethePaths(Path.Combine(_home, "cache"), Path.Combine(_home, "state"), Path.Combine(_home, "run")), host);

    private BootInput Input => new() { Spec = _spec, Name = "dev" };

    [Fact]
    public async Task Command_line_values_override_the_spec_and_the_fallback_note_is_returned_not_printed()
    {
        var host = new FakeHost(NoKvm);

        var prepared = await Preparation(host).PrepareAsync(Input with { MemoryMiB = 2048, Cpus = 1, Debug = true }, TestContext.Current.CancellationToken);

        prepared.Request.MemoryMiB.ShouldBe(2048);
        prepared.Request.Cpus.ShouldBe(1);
        prepared.Request.Debug.ShouldBeTrue();
        prepared.Request.Accel.Accelerator.ShouldBe(Accelerator.Tcg);
        prepared.Warnings.Single().ShouldStartWith("lethe: using TCG");
        host.ImagesBuilt.ShouldBe(1);
    }

    [Fact]
    public async Task Usable_kvm_gives_no_warning()
    {
        var prepared = await Preparation(new FakeHost(GoodKvm)).PrepareAsync(Input, TestContext.Current.CancellationToken);

        prepared.Request.Accel.Accelerator.ShouldBe(Accelerator.Kvm);
        prepared.Warnings.ShouldBeEmpty();
    }

    [Theory]
    [InlineData(128, null, "--memory: expected 256..65536 MiB")]
    [InlineData(null, 0, "--cpus: expected 1..64")]
    public async Task Out_of_range_resources_are_usage_errors_before_anything_is_built(int? memory, int? cpus, string message)
    {
        var host = new FakeHost(GoodKvm);

        var error = await Should.ThrowAsync<UsageException>(() => Preparation(host).PrepareAsync(Input with { MemoryMiB = memory, Cpus = cpus }, TestContext.Current.CancellationToken));

        error.Message.ShouldBe(message);
        host.ImagesBuilt.ShouldBe(0);
    }

    [Fact]
    public async Task Demanded_kvm_that_cannot_work_is_refused_with_exit_3_before_the_image_is_built()
    {
        var host = new FakeHost(NoKvm);

        var error = await Should.ThrowAsync<HostException>(() => Preparation(host).PrepareAsync(Input with { Accel = AccelMode.Kvm }, TestContext.Current.CancellationToken));

        error.Message.ShouldStartWith("--accel kvm: ");
        host.ImagesBuilt.ShouldBe(0);
    }

    [Fact]
    public async Task A_scratch_folder_on_tmpfs_is_refused_before_the_image_is_built()
    {
        var host = new FakeHost(GoodKvm, fileSystem: "tmpfs");

        await Should.ThrowAsync<HostException>(() => Preparation(host).PrepareAsync(Input with { Scratch = "1G" }, TestContext.Current.CancellationToken));

        host.ImagesBuilt.ShouldBe(0);
    }

    [Fact]
    public async Task Scratch_short_of_free_space_is_refused()
    {
        var host = new FakeHost(GoodKvm, freeBytes: 1L << 20);

        await Should.ThrowAsync<HostException>(() => Preparation(host).PrepareAsync(Input with { Scratch = "1G" }, TestContext.Current.CancellationToken));
    }

    [Fact]
    public void Scratch_option_overrides_the_spec_and_keeps_its_overlay_choice()
    {
        var spec = _spec with { Scratch = new ScratchSpec(4096, Overlay: true) };
        BootPreparation.ScratchFor(null, spec).ShouldBe(spec.Scratch);
        BootPreparation.ScratchFor("1G", spec).ShouldBe(new ScratchSpec(1024, true));
        Should.Throw<UsageException>(() => BootPreparation.ScratchFor("1M", spec)).Message.ShouldContain("at least 64M");
    }

    [Fact]
    public void A_one_shot_run_shares_the_callers_folder_unless_the_spec_names_a_workspace()
    {
        BootPreparation.WorkspaceFor(Input with { OneShotFolder = "/home/u/p" }).ShouldBe(new WorkspaceSpec("/home/u/p", WorkspaceMode.Rw, "/work"));
        var none = new WorkspaceSpec(null, WorkspaceMode.None, "/work");
        BootPreparation.WorkspaceFor(Input with { OneShotFolder = "/home/u/p", Spec = _spec with { Workspace = none } }).ShouldBe(none);
    }

    [Fact]
    public void A_workstation_shares_only_what_its_spec_says()
    {
        BootPreparation.WorkspaceFor(Input with { PersistDisk = "/p" }).ShouldBeNull();
        BootPreparation.WorkspaceFor(Input with { PersistDisk = "/p", Spec = _spec with { Workspace = new WorkspaceSpec(null, WorkspaceMode.None, "/work") } }).ShouldBeNull();
        var shared = new WorkspaceSpec("/srv/p", WorkspaceMode.Overlay, "/work");
        BootPreparation.WorkspaceFor(Input with { PersistDisk = "/p", Spec = _spec with { Workspace = shared } }).ShouldBe(shared);
    }
}
