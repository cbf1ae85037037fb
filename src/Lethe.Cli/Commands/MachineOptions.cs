using System.CommandLine;
using Lethe.Cli.Host;
using Lethe.Core;
using Lethe.Machine.Run;
using Lethe.Spec;

namespace Lethe.Cli.Commands;

/// <summary>The per-boot options run, up and supervise share, and turning them into a boot request.</summary>
public sealed class MachineOptions
{
    public Option<AccelMode?> Accel { get; } = new("--accel") { Description = "auto (default: KVM when it works, else TCG), kvm or tcg" };
    public Option<int?> Memory { get; } = new("--memory") { Description = "Memory in MiB (overrides the spec)" };
    public Option<int?> Cpus { get; } = new("--cpus") { Description = "Virtual CPUs (overrides the spec)" };

    public void AddTo(Command command)
    {
        command.Options.Add(Accel);
        command.Options.Add(Memory);
        command.Options.Add(Cpus);
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
    }

    public async Task<BootRequest> BootRequestAsync(ParseResult parse, MachineSpec spec, string name, CliConsole console, bool debug, CancellationToken stop, bool quiet = false)
    {
        var memoryMiB = parse.GetValue(Memory) ?? spec.Resources.MemoryMiB;
        var cpuCount = parse.GetValue(Cpus) ?? spec.Resources.Cpus;
        if (memoryMiB is < 256 or > 65536)
            throw new UsageException("--memory: expected 256..65536 MiB");
        if (cpuCount is < 1 or > 64)
            throw new UsageException("--cpus: expected 1..64");
        var accel = await RunCommand.DecideAccelAsync(parse.GetValue(Accel) ?? spec.Accel, quiet ? console with { Error = TextWriter.Null } : console).ConfigureAwait(false);
        HostTools.Require("run");
        var image = await ImageInput.GetAsync(spec, console, debug, stop).ConfigureAwait(false);
        return new BootRequest
        {
            Spec = spec, Image = image, Accel = accel, MemoryMiB = memoryMiB, Cpus = cpuCount, Debug = debug, Name = name,
        };
    }
}
