using System.CommandLine;
using System.Text.Json;
using Lethe.Core;
using Lethe.Machine.Verify;
using Lethe.Machine.Workstation;

namespace Lethe.Cli.Commands;

/// <summary>
/// lethe verify [NAME | --spec F]: proves the wipe (see <see cref="VerifyService"/>). A running machine is
/// used as it is; otherwise a throwaway machine is booted, the way lethe up boots one.
/// </summary>
public static class VerifyCommand
{
    public static Command Create(CliConsole console)
    {
        var spec = SpecInput.CreateOption();
        var name = MachineInput.CreateNameArgument();
        var json = new Option<bool>("--json") { Description = "Machine-readable results" };
        var allowOutside = SpecInput.CreateAllowOutsideOption();
        var machine = new MachineOptions();
        var verify = new Command("verify", "Prove that a reboot wipes everything but the allowlist") { spec, allowOutside, name, json };
        machine.AddTo(verify);
        verify.SetAction(async (parse, stop) =>
        {
            var named = parse.GetValue(name) is { } n ? MachineInput.Folder(n, null, console) : null;
            var specPath = parse.GetValue(spec) ?? (named?.IsRunning() == true ? named.ReadStatus()?.SpecPath : null);
            var allowOutsideSpecFolder = parse.GetValue(allowOutside);
            var loaded = SpecInput.Load(specPath, console, allowOutsideSpecFolder);
            var folder = named ?? MachineInput.Folder(loaded.Name, null, console);
            var service = new VerifyService(LethePaths.FromEnvironment(),
                (throwaway, ct) => UpCommand.UpAsync(throwaway, loaded, parse, machine, console, parse.GetValue(LetheApp.DebugOption), ct, allowOutsideSpecFolder),
                line => console.Error.WriteLine($"lethe: {Protocol.UntrustedText.ForLine(line)}"));
            var report = await service.RunAsync(folder, loaded, stop).ConfigureAwait(false);
            Render(report, parse.GetValue(json), console);
            return report.Passed ? ExitCodes.Success : ExitCodes.Failure;
        });
        return verify;
    }

    private static void Render(VerifyReport report, bool json, CliConsole console)
    {
        var results = report.Results;
        if (json)
        {
            console.Out.WriteLine(JsonSerializer.Serialize(new { passed = report.Passed, checks = results },
                new JsonSerializerOptions { PropertyNamingPolicy = JsonNamingPolicy.CamelCase, WriteIndented = true }));
            return;
        }
        var width = Math.Max(10, results.Max(r => r.Check.Length));
        foreach (var r in results)
            console.Out.WriteLine($"{(r.Passed ? "ok  " : "FAIL")}  {Machine.Persist.FileListing.Shown(r.Check).PadRight(width)}  {Machine.Persist.FileListing.Shown(r.Detail)}");
        var failed = results.Count(r => !r.Passed);
        console.Out.WriteLine(failed == 0 ? $"verified: all {results.Count} checks hold" : $"{failed} of {results.Count} checks failed");
    }
}
