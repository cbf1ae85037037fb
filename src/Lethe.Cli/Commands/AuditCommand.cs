using System.CommandLine;
using System.Text.Json;
using Lethe.Core;
using Lethe.Machine.Audit;

namespace Lethe.Cli.Commands;

/// <summary>lethe audit [--spec F] [--json] [--ignore FILE] [--sbom FILE]: secrets in what would enter the guest, and the SBOM.</summary>
public static class AuditCommand
{
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    public static Command Create(CliConsole console)
    {
        var spec = SpecInput.CreateOption();
        var allowOutside = SpecInput.CreateAllowOutsideOption();
        var json = new Option<bool>("--json") { Description = "Print the findings and the SBOM's path as JSON" };
        var ignore = new Option<string?>("--ignore") { Description = $"The ignore file (default: {AuditIgnore.DefaultFileName} beside the spec)" };
        var sbom = new Option<string?>("--sbom") { Description = "Also write the SBOM (SPDX 2.3 JSON) to this new file" };
        var audit = new Command("audit", "Find secrets in everything that would enter the machine, and write the image's SBOM") { spec, allowOutside, json, ignore, sbom };
        audit.SetAction(async (parse, stop) =>
        {
            var loaded = SpecInput.Load(parse.GetValue(spec), console, parse.GetValue(allowOutside));
            var debug = parse.GetValue(LetheApp.DebugOption);
            if (parse.GetValue(ignore) is { } ignoreFile && !File.Exists(ignoreFile))
                throw new UsageException($"--ignore: {Path.GetFullPath(ignoreFile)} does not exist");
            var image = await ImageInput.GetAsync(loaded, console, debug, stop, allowSecrets: true).ConfigureAwait(false);
            var report = await new SpecAudit(LethePaths.FromEnvironment(), line => console.Error.WriteLine($"lethe: {line}"))
                .AuditAsync(loaded, image, parse.GetValue(ignore), console.CurrentDirectory, stop).ConfigureAwait(false);
            var sbomPath = report.SbomPath;
            if (parse.GetValue(sbom) is { } copy)
                sbomPath = CopySbom(report.SbomPath, copy);

            if (parse.GetValue(json))
                console.Out.WriteLine(JsonSerializer.Serialize(new
                {
                    image = report.ImageDigest, findings = report.Findings, ignored = report.Ignored, sbom = sbomPath, report.IgnoreFile,
                }, Json));
            else
            {
                foreach (var finding in report.Findings)
                    console.Out.WriteLine(finding.ToString());
                console.Error.WriteLine($"lethe: {(report.Findings.Count == 0 ? "no secrets found" : $"{report.Findings.Count} finding{(report.Findings.Count == 1 ? "" : "s")}")}"
                    + (report.Ignored.Count > 0 ? $" ({report.Ignored.Count} ignored by {report.IgnoreFile})" : ""));
                console.Error.WriteLine($"lethe: SBOM (SPDX 2.3 JSON): {sbomPath}");
            }
            return report.Findings.Count == 0 ? ExitCodes.Success : ExitCodes.Failure;
        });
        return audit;
    }

    /// <summary>--sbom FILE is created, never overwritten (and never written through a link).</summary>
    private static string CopySbom(string source, string destination)
    {
        var full = Path.GetFullPath(destination);
        try
        {
            using var output = new FileStream(full, FileMode.CreateNew, FileAccess.Write);
            using var input = File.OpenRead(source);
            input.CopyTo(output);
        }
        catch (IOException) when (File.Exists(full) || Directory.Exists(full) || PosixFiles.LStat(full) is not null)
        {
            throw new UsageException($"--sbom: {full} exists; name a new file");
        }
        return full;
    }
}
