using System.CommandLine;
using System.Text.Json;
using Lethe.Core;
using Lethe.Machine.Verify;
using Lethe.Machine.Workstation;
using Lethe.Spec;

namespace Lethe.Cli.Commands;

/// <summary>
/// lethe verify [NAME | --spec F]: proves the wipe. Canaries outside the allowlist must be gone after a
/// reboot; canaries inside it must be kept with content, owner and mode; a kept identity must not
/// change; the workspace must behave as its mode says. A running machine is used as it is; otherwise a
/// throwaway machine with a fresh persist disk is booted for the proof and removed afterwards.
/// </summary>
public static class VerifyCommand
{
    public static Command Create(CliConsole console)
    {
        var spec = SpecInput.CreateOption();
        var name = MachineInput.CreateNameArgument();
        var json = new Option<bool>("--json") { Description = "Machine-readable results" };
        var machine = new MachineOptions();
        var verify = new Command("verify", "Prove that a reboot wipes everything but the allowlist") { spec, name, json };
        machine.AddTo(verify);
        verify.SetAction(async (parse, stop) =>
        {
            var named = parse.GetValue(name) is { } n ? MachineInput.Folder(n, null, console) : null;
            var specPath = parse.GetValue(spec) ?? (named?.IsRunning() == true ? named.ReadStatus()?.SpecPath : null);
            var loaded = SpecInput.Load(specPath, console);
            var folder = named ?? MachineInput.Folder(loaded.Name, null, console);
            var throwaway = !folder.IsRunning();
            if (throwaway)
            {
                folder = new MachineFolder(LethePaths.FromEnvironment().Machines, $"verify-{folder.Name}"[..Math.Min(63, 7 + folder.Name.Length)]);
                console.Error.WriteLine($"lethe: booting a throwaway machine {folder.Name} for the proof");
                await UpCommand.UpAsync(folder, loaded, parse, machine, console, parse.GetValue(LetheApp.DebugOption), stop).ConfigureAwait(false);
            }
            IReadOnlyList<CheckResult> results;
            var scratchFile = (string?)null;
            try
            {
                results = await new WipeProof(folder, loaded).RunAsync(stop).ConfigureAwait(false);
                scratchFile = folder.ReadStatus()?.Scratch;
            }
            catch (LetheException) when (throwaway)
            {
                KeepLogs(folder, console);
                throw;
            }
            finally
            {
                if (throwaway)
                    await RemoveAsync(folder, console).ConfigureAwait(false);
            }
            if (throwaway && scratchFile is not null && Path.IsPathRooted(scratchFile))
                results = [.. results, new CheckResult("scratch: deleted at stop", !File.Exists(scratchFile),
                    File.Exists(scratchFile) ? $"{scratchFile} is still there after the machine stopped" : "the host file is gone once the machine stopped")];
            Report(results, parse.GetValue(json), console);
            return results.All(r => r.Passed) ? ExitCodes.Success : ExitCodes.Failure;
        });
        return verify;
    }

    private static void Report(IReadOnlyList<CheckResult> results, bool json, CliConsole console)
    {
        if (json)
        {
            console.Out.WriteLine(JsonSerializer.Serialize(new { passed = results.All(r => r.Passed), checks = results },
                new JsonSerializerOptions { PropertyNamingPolicy = JsonNamingPolicy.CamelCase, WriteIndented = true }));
            return;
        }
        var width = Math.Max(10, results.Max(r => r.Check.Length));
        foreach (var r in results)
            console.Out.WriteLine($"{(r.Passed ? "ok  " : "FAIL")}  {r.Check.PadRight(width)}  {r.Detail}");
        var failed = results.Count(r => !r.Passed);
        console.Out.WriteLine(failed == 0 ? $"verified: all {results.Count} checks hold" : $"{failed} of {results.Count} checks failed");
    }

    /// <summary>The throwaway machine's folder goes; its logs stay for the post-mortem.</summary>
    private static void KeepLogs(MachineFolder folder, CliConsole console)
    {
        var logs = LethePaths.FromEnvironment().Logs;
        Directory.CreateDirectory(logs);
        var kept = Path.Combine(logs, $"{folder.Name}-{DateTime.UtcNow:yyyyMMddHHmmss}.supervisor.log");
        if (File.Exists(folder.SupervisorLog))
        {
            File.Copy(folder.SupervisorLog, kept, overwrite: true);
            console.Error.WriteLine($"lethe: the throwaway machine's log is kept in {kept}");
        }
    }

    private static async Task RemoveAsync(MachineFolder folder, CliConsole console)
    {
        try
        {
            if (folder.IsRunning())
                await MachineClient.StopAsync(folder, TimeSpan.FromSeconds(60), CancellationToken.None).ConfigureAwait(false);
            Directory.Delete(folder.Path, recursive: true);
        }
        catch (Exception e) when (e is IOException or LetheException)
        {
            console.Error.WriteLine($"lethe: could not remove the throwaway machine {folder.Name}: {e.Message}");
        }
    }
}
