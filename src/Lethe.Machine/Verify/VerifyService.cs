using Lethe.Core;
using Lethe.Machine.Workstation;
using Lethe.Spec;

namespace Lethe.Machine.Verify;

/// <summary>What lethe verify found: every check, and the throwaway machine it booted, if any.</summary>
public sealed record VerifyReport(IReadOnlyList<CheckResult> Results, string? Throwaway)
{
    public bool Passed => Results.All(r => r.Passed);
}

/// <summary>
/// lethe verify: proves the wipe on a running machine, or on a throwaway machine with a fresh persist
/// disk that is booted for the proof and removed afterwards. How a machine is booted is the caller's
/// (<paramref name="bootThrowaway"/>), so this service does not depend on how boots are prepared.
/// </summary>
public sealed class VerifyService(LethePaths paths, Func<MachineFolder, CancellationToken, Task> bootThrowaway, Action<string> notice)
{
    public static MachineFolder ThrowawayFolder(string machines, string name) =>
        new(machines, $"verify-{name}"[..Math.Min(63, 7 + name.Length)]);

    public async Task<VerifyReport> RunAsync(MachineFolder folder, MachineSpec spec, CancellationToken stop)
    {
        var throwaway = !folder.IsRunning();
        if (throwaway)
        {
            folder = ThrowawayFolder(paths.Machines, folder.Name);
            notice($"booting a throwaway machine {folder.Name} for the proof");
            await bootThrowaway(folder, stop).ConfigureAwait(false);
        }
        IReadOnlyList<CheckResult> results;
        string? scratchFile = null;
        try
        {
            results = await new WipeProof(folder, spec).RunAsync(stop).ConfigureAwait(false);
            scratchFile = folder.ReadStatus()?.Scratch;
        }
        catch (LetheException) when (throwaway)
        {
            KeepLog(folder);
            throw;
        }
        finally
        {
            if (throwaway)
                await RemoveAsync(folder).ConfigureAwait(false);
        }
        if (throwaway && scratchFile is not null && Path.IsPathRooted(scratchFile))
            results = [.. results, new CheckResult("scratch: deleted at stop", !File.Exists(scratchFile),
                File.Exists(scratchFile) ? $"{scratchFile} is still there after the machine stopped" : "the host file is gone once the machine stopped")];
        return new VerifyReport(results, throwaway ? folder.Name : null);
    }

    /// <summary>The throwaway machine's folder goes; its log stays for the post-mortem.</summary>
    private void KeepLog(MachineFolder folder)
    {
        if (!File.Exists(folder.SupervisorLog))
            return;
        Directory.CreateDirectory(paths.Logs);
        var kept = Path.Combine(paths.Logs, $"{folder.Name}-{DateTime.UtcNow:yyyyMMddHHmmss}.supervisor.log");
        File.Copy(folder.SupervisorLog, kept, overwrite: true);
        notice($"the throwaway machine's log is kept in {kept}");
    }

    private async Task RemoveAsync(MachineFolder folder)
    {
        try
        {
            if (folder.IsRunning())
                await MachineClient.StopAsync(folder, TimeSpan.FromSeconds(60), CancellationToken.None).ConfigureAwait(false);
            Directory.Delete(folder.Path, recursive: true);
        }
        catch (Exception e) when (e is IOException or LetheException)
        {
            notice($"could not remove the throwaway machine {folder.Name}: {e.Message}");
        }
    }
}
