using System.CommandLine;
using Lethe.Cli.Host;
using Lethe.Core;
using Lethe.Machine.Run;
using Lethe.Machine.Scratch;
using Lethe.Spec.Reading;
using Lethe.Spec;

namespace Lethe.Cli.Commands;

/// <summary>The per-boot options run, up and supervise share, and turning them into a boot request.</summary>
public sealed class MachineOptions
{
    public Option<AccelMode?> Accel { get; } = new("--accel") { Description = "auto (default: KVM when it works, else TCG), kvm or tcg" };
    public Option<int?> Memory { get; } = new("--memory") { Description = "Memory in MiB (overrides the spec)" };
    public Option<int?> Cpus { get; } = new("--cpus") { Description = "Virtual CPUs (overrides the spec)" };
    public Option<string?> Scratch { get; } = new("--scratch") { Description = "Attach an encrypted scratch disk of this size at /scratch, e.g. 20G (overrides the spec)" };

    public void AddTo(Command command)
    {
        command.Options.Add(Accel);
        command.Options.Add(Memory);
        command.Options.Add(Cpus);
        command.Options.Add(Scratch);
    }

    /// <summary>The same choices, as arguments for another lethe process.</summary>
    public IEnumerable<string> Forward(ParseResult parse)
    {
        if (parse.GetValue(Accel) is { } accel)
            yield return $"--accel={accel.ToString().ToLowerInvariant()}";
        if (parse.GetValue(Memory) is { } memory)
            yield return $"--memory={memory}";
        if (parse.GetValue(Cpus) is { } cpus)
            yield return $"--cpus={cpus}";
        if (parse.GetValue(Scratch) is { } scratch)
            yield return $"--scratch={scratch}";
    }

    public async Task<BootRequest> BootRequestAsync(ParseResult parse, MachineSpec spec, string name, CliConsole console, bool debug, CancellationToken stop, bool quiet = false)
    {
        var memoryMiB = parse.GetValue(Memory) ?? spec.Resources.MemoryMiB;
        var cpuCount = parse.GetValue(Cpus) ?? spec.Resources.Cpus;
        if (memoryMiB is < 256 or > 65536)
            throw new UsageException("--memory: expected 256..65536 MiB");
        if (cpuCount is < 1 or > 64)
            throw new UsageException("--cpus: expected 1..64");
        var scratch = ScratchFor(parse.GetValue(Scratch), spec);
        if (scratch is not null)
            await RefuseUnusableScratchFolderAsync(scratch, stop).ConfigureAwait(false);
        var accel = await RunCommand.DecideAccelAsync(parse.GetValue(Accel) ?? spec.Accel, quiet ? console with { Error = TextWriter.Null } : console).ConfigureAwait(false);
        HostTools.Require("run");
        var image = await ImageInput.GetAsync(spec, console, debug, stop).ConfigureAwait(false);
        return new BootRequest
        {
            Spec = spec, Image = image, Accel = accel, MemoryMiB = memoryMiB, Cpus = cpuCount, Debug = debug, Name = name,
            Scratch = scratch,
        };
    }

    private static ScratchSpec? ScratchFor(string? option, MachineSpec spec)
    {
        if (option is null)
            return spec.Scratch;
        if (!SizeText.TryParseBytes(option, out var bytes) || bytes < 64L << 20)
            throw new UsageException($"--scratch: expected a size of at least 64M, like 20G, got '{option}'");
        return new ScratchSpec(bytes >> 20, spec.Scratch?.Overlay ?? false);
    }

    /// <summary>Before anything is built or booted: a RAM-backed "disk" defeats the purpose (exit 3).</summary>
    private static async Task RefuseUnusableScratchFolderAsync(ScratchSpec scratch, CancellationToken stop)
    {
        var folder = LethePaths.FromEnvironment().Scratch;
        Directory.CreateDirectory(folder);
        var type = await ScratchFile.FileSystemTypeAsync(folder, stop).ConfigureAwait(false);
        if (ScratchPolicy.FolderRefusal(folder, type, Environment.GetEnvironmentVariable(ScratchPolicy.AllowTmpfsVariable)) is { } refusal)
            throw new HostException(refusal);
        if (ScratchPolicy.SpaceShortfall(folder, new DriveInfo(folder).AvailableFreeSpace, scratch.SizeMiB) is { } shortfall)
            throw new HostException(shortfall);
    }
}
