using Lethe.Core;
using Lethe.Image;
using Lethe.Machine.Accel;
using Lethe.Machine.Scratch;
using Lethe.Machine.Secrets;
using Lethe.Machine.Usb;
using Lethe.Spec;

namespace Lethe.Machine.Run;

/// <summary>What the command line asked for one boot, already parsed; null fields take the spec's value.</summary>
public sealed record BootInput
{
    public required MachineSpec Spec { get; init; }
    public required string Name { get; init; }
    public AccelMode? Accel { get; init; }
    public int? MemoryMiB { get; init; }
    public int? Cpus { get; init; }
    /// <summary>--scratch as written (e.g. "20G"); null: the spec's scratch.</summary>
    public string? Scratch { get; init; }
    public bool Debug { get; init; }
    /// <summary>A one-shot run shares this folder (the caller's current one) when the spec names no workspace.</summary>
    public string? OneShotFolder { get; init; }
    /// <summary>A workstation's persist disk; null for a one-shot run.</summary>
    public string? PersistDisk { get; init; }
    /// <summary>--allow-secrets: use the image even when its audit finds a secret.</summary>
    public bool AllowSecrets { get; init; }
}

/// <summary>The boot request, plus the lines the caller should show (the accelerator's fallback note).</summary>
public sealed record PreparedBoot(BootRequest Request, IReadOnlyList<string> Warnings);

/// <summary>The host facts boot preparation reads, behind one seam so that its decisions are testable without a host.</summary>
public interface IBootHost
{
    Task<HostFacts> ReadHostFactsAsync(CancellationToken stop);
    Task<string> FileSystemTypeAsync(string folder, CancellationToken stop);
    long AvailableBytes(string folder);
    string? Variable(string name);
    /// <summary>The image for the spec, from the cache or built (the caller shows progress its own way).</summary>
    Task<ImageSet> GetImageAsync(MachineSpec spec, CancellationToken stop);
}

/// <summary>
/// Turns a parsed command line into a boot request: checks resources, decides the scratch disk and
/// refuses an unusable scratch folder before anything is built, chooses the accelerator, gets the image,
/// and picks the shared folder. It returns data; the command line renders it.
/// </summary>
public sealed class BootPreparation(LethePaths paths, IBootHost host, UsbHost? usb = null, HostGitConfig? gitConfig = null)
{
    public async Task<PreparedBoot> PrepareAsync(BootInput input, CancellationToken stop)
    {
        var (memoryMiB, cpus) = Resources(input);
        // A usb device that is not there, or that QEMU could not open, is refused before anything is built (exit 3).
        UsbHostCheck.Require(input.Spec.Usb, usb ?? UsbHost.System);
        var staged = (gitConfig ?? HostGitConfig.FromEnvironment()).For(input.Spec);
        var scratch = ScratchFor(input.Scratch, input.Spec);
        if (scratch is not null)
            await RefuseUnusableScratchFolderAsync(scratch, stop).ConfigureAwait(false);
        var accel = AccelDecision.Decide(input.Accel ?? input.Spec.Accel, await host.ReadHostFactsAsync(stop).ConfigureAwait(false));
        if (accel.Refusal is { } refusal)
            throw new HostException(refusal);
        var image = await host.GetImageAsync(input.Spec, stop).ConfigureAwait(false);
        var request = new BootRequest
        {
            Spec = input.Spec, Image = image, Accel = accel, MemoryMiB = memoryMiB, Cpus = cpus, Debug = input.Debug, Name = input.Name,
            Scratch = scratch, PersistDisk = input.PersistDisk, Workspace = WorkspaceFor(input), GitConfig = staged.Text,
            Warm = input.Spec.Warm,
        };
        return new PreparedBoot(request, [.. accel.Note is { } note ? [note] : Array.Empty<string>(), .. staged.Notes.Select(n => $"lethe: warning: {n}")]);
    }

    /// <summary>Pure: memory and vCPUs, the command line's over the spec's, in range or a usage error.</summary>
    public static (int MemoryMiB, int Cpus) Resources(BootInput input)
    {
        var memoryMiB = input.MemoryMiB ?? input.Spec.Resources.MemoryMiB;
        var cpus = input.Cpus ?? input.Spec.Resources.Cpus;
        if (memoryMiB is < 256 or > 65536)
            throw new UsageException("--memory: expected 256..65536 MiB");
        if (cpus is < 1 or > 64)
            throw new UsageException("--cpus: expected 1..64");
        return (memoryMiB, cpus);
    }

    /// <summary>Pure: --scratch over the spec's scratch (keeping the spec's overlay choice).</summary>
    public static ScratchSpec? ScratchFor(string? option, MachineSpec spec)
    {
        if (option is null)
            return spec.Scratch;
        if (!Spec.Reading.SizeText.TryParseBytes(option, out var bytes) || bytes < 64L << 20)
            throw new UsageException($"--scratch: expected a size of at least 64M, like 20G, got '{option}'");
        return new ScratchSpec(bytes >> 20, spec.Scratch?.Overlay ?? false);
    }

    /// <summary>Pure: a workstation shares what its spec says (none: nothing); a one-shot run shares the
    /// caller's folder read-write at /work unless the spec says otherwise.</summary>
    public static WorkspaceSpec? WorkspaceFor(BootInput input) => input.PersistDisk is not null || input.OneShotFolder is null
        ? input.Spec.Workspace is { Mode: not WorkspaceMode.None } shared ? shared : null
        : input.Spec.Workspace ?? new WorkspaceSpec(input.OneShotFolder, WorkspaceMode.Rw, "/work");

    /// <summary>Before anything is built or booted: a RAM-backed "disk" defeats the purpose (exit 3).</summary>
    private async Task RefuseUnusableScratchFolderAsync(ScratchSpec scratch, CancellationToken stop)
    {
        var folder = PrivateFolder.Ensure(paths.Scratch);
        var type = await host.FileSystemTypeAsync(folder, stop).ConfigureAwait(false);
        if (ScratchPolicy.FolderRefusal(folder, type, host.Variable(ScratchPolicy.AllowTmpfsVariable)) is { } refusal)
            throw new HostException(refusal);
        if (ScratchPolicy.SpaceShortfall(folder, host.AvailableBytes(folder), scratch.SizeMiB) is { } shortfall)
            throw new HostException(shortfall);
    }
}
