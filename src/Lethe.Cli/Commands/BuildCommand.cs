using System.CommandLine;
using System.Text.Json;
using Lethe.Cli.Host;
using Lethe.Core;
using Lethe.Image;

namespace Lethe.Cli.Commands;

/// <summary>lethe build [--check] [--json]: build (or find in the cache) the image of a spec.</summary>
public static class BuildCommand
{
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    public static Command Create(CliConsole console)
    {
        var spec = SpecInput.CreateOption();
        var allowOutside = SpecInput.CreateAllowOutsideOption();
        var json = new Option<bool>("--json") { Description = "Print the image digest and package list as JSON" };
        var check = new Option<bool>("--check") { Description = "Build again from scratch and compare byte for byte" };
        var allowSecrets = MachineOptions.CreateAllowSecretsOption();
        var build = new Command("build", "Build the spec's image (cached by content)") { spec, allowOutside, json, check, allowSecrets };
        build.SetAction(async (parse, stop) =>
        {
            var loaded = SpecInput.Load(parse.GetValue(spec), console, parse.GetValue(allowOutside));
            var debug = parse.GetValue(LetheApp.DebugOption);
            var image = await ImageInput.GetAsync(loaded, console, debug, stop, parse.GetValue(allowSecrets)).ConfigureAwait(false);
            if (!parse.GetValue(check))
            {
                if (parse.GetValue(json))
                    console.Out.WriteLine(JsonSerializer.Serialize(new
                    {
                        image.Digest, image.Directory, image.KernelVersion, image.FromCache, image.Packages,
                    }, Json));
                else
                    console.Out.WriteLine($"image {image.Digest} ({(image.FromCache ? "cached" : "built")}, kernel {image.KernelVersion}, {image.Packages.Count} packages) in {image.Directory}");
                return ExitCodes.Success;
            }

            var builder = new ImageBuilder(LethePaths.FromEnvironment(), ImageInput.Progress(console, debug));
            var result = await builder.CheckAsync(new ImageBuildRequest(loaded, GuestInit.Locate()), stop).ConfigureAwait(false);
            if (parse.GetValue(json))
                console.Out.WriteLine(JsonSerializer.Serialize(result, Json));
            else if (result.Identical)
                console.Out.WriteLine($"reproducible: a clean rebuild of {result.Digest} is byte-identical");
            else
                foreach (var difference in result.Differences)
                    console.Out.WriteLine($"differs: {difference.File}{(difference.PathInside is { } inside ? $": {inside}" : "")}: {difference.Description}");
            return result.Identical ? ExitCodes.Success : ExitCodes.Failure;
        });
        return build;
    }
}
