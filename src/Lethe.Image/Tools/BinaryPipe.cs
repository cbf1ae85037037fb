using System.Diagnostics;
using Lethe.Core;

namespace Lethe.Image.Tools;

/// <summary>
/// Runs a host program as a filter over bytes (stdin → stdout), which <see cref="HostCommand"/> cannot do
/// because it reads stdout as text. Used for <c>xz -dc</c>.
/// </summary>
public static class BinaryPipe
{
    public static async Task RunAsync(HostCommand command, ReadOnlyMemory<byte> input, Stream output, CancellationToken cancellationToken)
    {
        var info = new ProcessStartInfo(command.Program)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in command.Arguments)
            info.ArgumentList.Add(argument);
        foreach (var (name, value) in command.Environment)
            info.Environment[name] = value;

        using var process = new Process { StartInfo = info };
        try
        {
            process.Start();
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new HostException($"cannot run {command.Program}: {e.Message}", e);
        }

        var stdin = process.StandardInput.BaseStream;
        var feed = Task.Run(async () =>
        {
            try
            {
                await stdin.WriteAsync(input, cancellationToken).ConfigureAwait(false);
            }
            catch (IOException)
            {
                // The program stopped reading (e.g. xz --single-stream after the first stream); its status tells.
            }
            finally
            {
                stdin.Close();
            }
        }, cancellationToken);
        var copy = process.StandardOutput.BaseStream.CopyToAsync(output, cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        try
        {
            await Task.WhenAll(feed, copy, stderr).ConfigureAwait(false);
            await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }
        if (process.ExitCode != 0)
            throw new ToolFailedException(Path.GetFileName(command.Program), process.ExitCode, await stderr.ConfigureAwait(false));
    }
}
