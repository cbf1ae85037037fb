using System.CommandLine;
using System.Text.Json;
using Lethe.Core;
using Lethe.Machine.Export;
using Lethe.Machine.Ssh;

namespace Lethe.Cli.Commands;

/// <summary>lethe export --format oci|lxc|qcow2|containerdisk|k8s [--image-ref REF] [--persist-size MIB] [--authorized-keys FILE] [--spec F] [-o PATH] [--check] [--json]: the spec's image in another form.</summary>
public static class ExportCommand
{
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    public static Command Create(CliConsole console)
    {
        var spec = SpecInput.CreateOption();
        var allowOutside = SpecInput.CreateAllowOutsideOption();
        var format = new Option<string>("--format")
        {
            Description = $"The form to export: {string.Join(", ", ExportFormats.Names)} (oci and containerdisk: a layout directory, or an oci-archive when -o ends in .tar; k8s: a KubeVirt VirtualMachine and its persist claim)",
            Required = true,
        };
        var output = new Option<string?>("--output", "-o") { Description = "The new file or folder to write (default: NAME-oci, NAME.lxc.tar.gz, NAME.qcow2, NAME-containerdisk, NAME.kubevirt.yaml)" };
        var imageRef = new Option<string?>("--image-ref") { Description = "For k8s: the registry reference the cluster pulls the containerdisk from (registry/path[:tag][@sha256:digest])" };
        var check = new Option<bool>("--check") { Description = "Export twice and compare byte for byte; with -o, the export is written only if the two are identical" };
        var json = new Option<bool>("--json") { Description = "Print the result as JSON" };
        var persistSize = new Option<long?>("--persist-size") { Description = "qcow2, containerdisk, k8s: the persist partition's (k8s: the claim's) size in MiB (default: the spec's persist.size)" };
        var authorizedKeys = new Option<string[]>("--authorized-keys")
        {
            Description = "qcow2, containerdisk: a public key file whose keys may log in over SSH as the spec's user (repeatable; added to the spec's ssh.authorized_keys files)",
        };
        var allowSecrets = MachineOptions.CreateAllowSecretsOption();
        var export = new Command("export", "Export the spec's image as an OCI image, an Incus/LXD image, a UEFI disk (qcow2) that boots without lethe, a KubeVirt containerDisk or a KubeVirt manifest")
        {
            spec, allowOutside, format, output, imageRef, check, json, allowSecrets, persistSize, authorizedKeys,
        };
        export.SetAction(async (parse, stop) =>
        {
            var chosen = ExportFormats.Parse(parse.GetValue(format) ?? "")
                ?? throw new UsageException($"--format: unknown format '{parse.GetValue(format)}'; expected one of {string.Join(", ", ExportFormats.Names)}");
            if (KubeVirtManifest.ImageRefUsageProblem(chosen, parse.GetValue(imageRef)) is { } refProblem)
                throw new UsageException(refProblem);
            if (ExportFormats.OptionProblem(chosen, parse.GetValue(persistSize), (parse.GetValue(authorizedKeys) ?? []).Length > 0) is { } optionProblem)
                throw new UsageException(optionProblem);
            var loaded = SpecInput.Load(parse.GetValue(spec), console, parse.GetValue(allowOutside));
            // Read before the image is built: a missing key file is a usage error now, not after minutes of building.
            var keys = chosen.IsDisk()
                ? await ClientKeys.ForExportAsync(loaded.Ssh, parse.GetValue(authorizedKeys) ?? [], SshBoot.HostHome(), console.CurrentDirectory, stop).ConfigureAwait(false)
                : [];
            var target = Path.GetFullPath(parse.GetValue(output) ?? chosen.DefaultOutput(loaded.Name), console.CurrentDirectory);
            var debug = parse.GetValue(LetheApp.DebugOption);
            var image = await ImageInput.GetAsync(loaded, console, debug, stop, parse.GetValue(allowSecrets)).ConfigureAwait(false);
            var service = new ExportService(LethePaths.FromEnvironment(), line => console.Error.WriteLine($"lethe: {line}"));
            var request = new ExportRequest(loaded, image, chosen, target, parse.GetValue(imageRef), parse.GetValue(persistSize), keys);

            if (!parse.GetValue(check))
            {
                var result = await service.ExportAsync(request, stop).ConfigureAwait(false);
                console.Out.WriteLine(parse.GetValue(json)
                    ? JsonSerializer.Serialize(result, Json)
                    : $"{result.Kind} written to {result.Output} ({result.Bytes / (1024.0 * 1024.0):0.0} MiB, {result.Digest})");
                return ExitCodes.Success;
            }

            var outcome = await service.CheckAsync(request, publish: parse.GetValue(output) is not null, stop).ConfigureAwait(false);
            if (parse.GetValue(json))
                console.Out.WriteLine(JsonSerializer.Serialize(outcome, Json));
            else if (outcome.Identical)
                console.Out.WriteLine($"reproducible: two {outcome.Format} exports of image {outcome.ImageDigest} are byte-identical ({outcome.Digest})"
                    + (parse.GetValue(output) is not null ? $"; written to {target}" : ""));
            else
                foreach (var difference in outcome.Differences)
                    console.Out.WriteLine($"differs: {difference.File}: {difference.Description}");
            return outcome.Identical ? ExitCodes.Success : ExitCodes.Failure;
        });
        return export;
    }
}
