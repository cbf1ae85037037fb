using System.Diagnostics;
using Lethe.Protocol.Boot;

namespace Lethe.Guest.Boot;

/// <summary>Runs a <see cref="ScratchCommand"/> with a deadline: killed and reported when it overruns, never waited on forever.</summary>
internal static class ScratchProcess
{
    public static void Run(ScratchCommand command, TimeSpan timeout)
    {
        var info = new ProcessStartInfo(command.Program)
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in command.Arguments)
            info.ArgumentList.Add(argument);
        foreach (var (variable, value) in command.Environment)
            info.Environment[variable] = value;
        using var process = Process.Start(info) ?? throw new IOException("cannot start " + command.Program);
        process.StandardInput.Close();
        var errors = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEndAsync();
        var name = command.Name;
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit(1000);
            throw new TimeoutException($"{name} did not finish within {timeout.TotalSeconds:0.###} s");
        }
        if (process.ExitCode != 0)
        {
            var lines = (errors.Wait(1000) ? errors.Result : "").Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            throw new IOException($"{name} failed with exit status {process.ExitCode}: {(lines.Length == 0 ? "(no output)" : lines[^1])}");
        }
        output.Wait(1000);
    }
}
