using System.CommandLine;
using System.Text.Json;
using Lethe.Core;
using Lethe.Image.Lock;
using Lethe.Machine.SignedChannel;
using Lethe.Spec;

namespace Lethe.Cli.Commands;

/// <summary>lethe publish --channel DIR --key KEYFILE [--spec F] [--expires 7d] [--json]: the spec's image as the next signed generation of a channel.</summary>
public static class PublishCommand
{
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    public static Command Create(CliConsole console)
    {
        var spec = SpecInput.CreateOption();
        var allowOutside = SpecInput.CreateAllowOutsideOption();
        var channel = new Option<string>("--channel") { Description = "The channel folder to write (created if missing); serve it as files over HTTP(S) for remote consumers", Required = true };
        var key = new Option<string>("--key") { Description = "The ssh private key that signs channel.json (ssh-keygen -Y sign; ed25519 or sk-ed25519 on a security key)", Required = true };
        var expires = new Option<string>("--expires") { Description = "How long the manifest stays valid: 7d (default), 12h, 30m, 45s; consumers refuse it afterwards", DefaultValueFactory = _ => "7d" };
        var json = new Option<bool>("--json") { Description = "Print the signed manifest as JSON" };
        var allowSecrets = MachineOptions.CreateAllowSecretsOption();
        var publish = new Command("publish", "Publish the spec's image to a signed channel: the image files under their digest, then channel.json (version + 1) and its signature")
        {
            spec, allowOutside, channel, key, expires, json, allowSecrets,
        };
        publish.SetAction(async (parse, stop) =>
        {
            var lifetime = DurationText.TryParse(parse.GetValue(expires) ?? "")
                ?? throw new UsageException($"--expires {parse.GetValue(expires)}: give a duration like 7d, 12h, 30m or 45s");
            var folder = parse.GetValue(channel)!;
            if (folder.Contains("://", StringComparison.Ordinal))
                throw new UsageException($"--channel {folder}: publish writes a folder; serve that folder over HTTP(S) for consumers");
            var keyFile = Path.GetFullPath(parse.GetValue(key)!, console.CurrentDirectory);
            if (!File.Exists(keyFile))
                throw new UsageException($"--key {keyFile}: no such key file");
            var specPath = SpecLocator.Locate(parse.GetValue(spec), console.CurrentDirectory)
                ?? throw new UsageException("publish needs a spec file: give --spec, or run it where lethe.yaml is");
            var loaded = SpecInput.Load(specPath, console, parse.GetValue(allowOutside));
            var image = await ImageInput.GetAsync(loaded, console, parse.GetValue(LetheApp.DebugOption), stop, parse.GetValue(allowSecrets)).ConfigureAwait(false);

            var publisher = new ChannelPublisher(TimeProvider.System, line => console.Error.WriteLine($"lethe: {line}"));
            var result = await publisher.PublishAsync(new PublishRequest(Path.GetFullPath(folder, console.CurrentDirectory), keyFile, image,
                specPath, LockLocation.For(loaded, LethePaths.FromEnvironment()), lifetime), stop).ConfigureAwait(false);
            var manifest = result.Manifest;
            console.Out.WriteLine(parse.GetValue(json)
                ? JsonSerializer.Serialize(manifest, Json)
                : $"published version {manifest.Version} of {result.ChannelFolder}: image {manifest.Generation.ImageDigest}, expires {manifest.Expires:u}");
            return ExitCodes.Success;
        });
        return publish;
    }
}
