using System.Diagnostics;

namespace Lethe.Guest.Boot;

/// <summary>Runs a program of the Debian root (after the switch) and fails with its error output.</summary>
internal static class Tool
{
    public static void Run(string program, params string[] arguments)
    {
        var info = new ProcessStartInfo(program)
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in arguments)
            info.ArgumentList.Add(argument);
        using var process = Process.Start(info) ?? throw new IOException("cannot start " + program);
        process.StandardInput.Close();
        var errors = process.StandardError.ReadToEndAsync();
        process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
            throw new IOException($"{program} {string.Join(' ', arguments)}: exit {process.ExitCode}: {errors.GetAwaiter().GetResult().Trim()}");
    }
}
