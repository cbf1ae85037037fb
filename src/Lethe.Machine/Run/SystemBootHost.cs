using Lethe.Image;
using Lethe.Machine.Accel;
using Lethe.Machine.Scratch;
using Lethe.Spec;

namespace Lethe.Machine.Run;

/// <summary>The real host behind <see cref="BootPreparation"/>; the image comes from the caller, which shows build progress.</summary>
public sealed class SystemBootHost(Func<MachineSpec, CancellationToken, Task<ImageSet>> getImage) : IBootHost
{
    public Task<HostFacts> ReadHostFactsAsync(CancellationToken stop) => HostFacts.ReadAsync();

    public Task<string> FileSystemTypeAsync(string folder, CancellationToken stop) => ScratchFile.FileSystemTypeAsync(folder, stop);

    public long AvailableBytes(string folder) => new DriveInfo(folder).AvailableFreeSpace;

    public string? Variable(string name) => Environment.GetEnvironmentVariable(name);

    public Task<ImageSet> GetImageAsync(MachineSpec spec, CancellationToken stop) => getImage(spec, stop);
}
