using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Lethe.Core;
using Lethe.Machine.Generations;

namespace Lethe.Cli.Commands;

/// <summary>lethe generations NAME [--json] and lethe rollback NAME [GEN].</summary>
public static class GenerationCommands
{
    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    public static Command List(CliConsole console)
    {
        var spec = SpecInput.CreateOption();
        var name = MachineInput.CreateNameArgument();
        var json = new Option<bool>("--json") { Description = "Print the generations as JSON" };
        var command = new Command("generations", "List a machine's generations: every image it booted, the current one (*) and the booted one (b)") { spec, name, json };
        command.SetAction(parse =>
        {
            var folder = MachineInput.Folder(parse.GetValue(name), parse.GetValue(spec), console);
            var listing = new GenerationService(folder).List();
            if (parse.GetValue(json))
            {
                console.Out.WriteLine(JsonSerializer.Serialize(listing, Json));
                return ExitCodes.Success;
            }
            foreach (var row in listing.Generations)
            {
                var generation = row.Generation;
                var line = string.Create(CultureInfo.InvariantCulture,
                    $"{(row.Current ? '*' : ' ')}{(row.Booted ? 'b' : ' ')} {generation.Number,3}  {generation.Created:yyyy-MM-dd HH:mm}  {generation.State.ToString().ToLowerInvariant(),-6}  image {generation.ImageDigest[..12]}  kernel {generation.KernelRelease}");
                console.Out.WriteLine(line
                    + (generation.SourceRevision is { } revision ? $"  source {revision}" : "")
                    + (generation.Failure is { } failure ? $"  ({failure})" : ""));
            }
            if (listing.Generations.Count == 0)
                console.Error.WriteLine($"lethe: {listing.Machine} has no generations yet (lethe up records the first)");
            if (new GenerationService(folder).Waiting(kernelOnly: true) is { } waiting)
                console.Error.WriteLine($"lethe: {waiting}");
            return ExitCodes.Success;
        });
        return command;
    }

    public static Command Rollback(CliConsole console)
    {
        var spec = SpecInput.CreateOption();
        var name = MachineInput.CreateNameArgument();
        var generation = new Argument<int?>("generation") { Description = "The generation to boot (default: the good one before the booted one)", Arity = ArgumentArity.ZeroOrOne };
        var command = new Command("rollback", "Boot an earlier generation of a machine: now if it runs, else at its next up") { spec, name, generation };
        command.SetAction(async (parse, stop) =>
        {
            var folder = MachineInput.Folder(parse.GetValue(name), parse.GetValue(spec), console);
            var result = await new GenerationService(folder).RollbackAsync(parse.GetValue(generation), stop).ConfigureAwait(false);
            console.Error.WriteLine(result.RebootTimeline is { } timeline
                ? $"lethe: {folder.Name} rebooted into generation {result.Generation} ({timeline})"
                : $"lethe: {folder.Name} boots generation {result.Generation} at its next up");
            return ExitCodes.Success;
        });
        return command;
    }
}
