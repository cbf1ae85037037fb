using System.CommandLine;
using Lethe.Cli.Host;
using Lethe.Core;
using Lethe.Image;
using Lethe.Machine.Run;
using Lethe.Spec;

namespace Lethe.Cli.Commands;

/// <summary>The per-boot options run, up and supervise share, parsed into a <see cref="BootInput"/> for
/// <see cref="BootPreparation"/>, whose warnings are shown here.</summary>
public sealed class MachineOptions
{
    public Option<AccelMode?> Accel { get; } = new("--accel") { Description = "auto (default: KVM when it works, else TCG), kvm or tcg" };
    public Option<int?> Memory { get; } = new("--memory") { Description = "Memory in MiB (overrides the spec)" };
    public Option<int?> Cpus { get; } = new("--cpus") { Description = "Virtual CPUs (overrides the spec)" };
    public Option<string?> Scratch { get; } = new("--scratch") { Description = "Attach an encrypted scratch disk of this size at /scratch, e.g. 20G (overrides the spec)" };
    public Option<bool> AllowSecrets { get; } = CreateAllowSecretsOption();

    public static Option<bool> CreateAllowSecretsOption() =>
        new("--allow-secrets") { Description = "Use an image even though lethe audit finds a secret in it" };

    public void AddTo(Command command)
    {
        command.Options.Add(Accel);
        command.Options.Add(Memory);
        command.Options.Add(Cpus);
        command.Options.Add(Scratch);
        command.Options.Add(AllowSecrets);
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
        if (parse.GetValue(AllowSecrets))
            yield return "--allow-secrets";
    }

    public BootInput Input(ParseResult parse, MachineSpec spec, string name, bool debug) => new()
    {
        Spec = spec, Name = name, Debug = debug,
        Accel = parse.GetValue(Accel), MemoryMiB = parse.GetValue(Memory), Cpus = parse.GetValue(Cpus), Scratch = parse.GetValue(Scratch),
        AllowSecrets = parse.GetValue(AllowSecrets),
    };

    public Task<BootRequest> BootRequestAsync(ParseResult parse, MachineSpec spec, string name, CliConsole console, bool debug, CancellationToken stop, bool quiet = false) =>
        PrepareAsync(Input(parse, spec, name, debug), console, stop, quiet);

    /// <summary>Prepares the boot through the machine layer, building the image with progress on stderr, and shows its warnings.</summary>
    /// <param name="image">A generation's image, from the cache: used as it is, never built.</param>
    public static async Task<BootRequest> PrepareAsync(BootInput input, CliConsole console, CancellationToken stop, bool quiet = false, ImageSet? image = null)
    {
        var preparation = new BootPreparation(LethePaths.FromEnvironment(), new SystemBootHost(async (spec, token) =>
        {
            HostTools.Require("run");
            if (image is not null)
                return image;
            return await ImageInput.GetAsync(spec, console, input.Debug, token, input.AllowSecrets).ConfigureAwait(false);
        }));
        var prepared = await preparation.PrepareAsync(input, stop).ConfigureAwait(false);
        if (!quiet)
            foreach (var warning in prepared.Warnings)
                console.Error.WriteLine(warning);
        return prepared.Request;
    }
}
