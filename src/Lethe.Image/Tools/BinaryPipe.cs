using Lethe.Core;

namespace Lethe.Image.Tools;

/// <summary>
/// Runs a host program as a filter over bytes (stdin → stdout), which <see cref="HostCommand.RunAsync"/>
/// cannot do because it reads stdout as text. Used for <c>xz -dc</c>.
/// </summary>
public static class BinaryPipe
{
    public static async Task RunAsync(HostCommand command, ReadOnlyMemory<byte> input, Stream output, CancellationToken cancellationToken)
    {
        await using var process = await command.StartAsync().ConfigureAwait(false);
        var stdin = process.StandardInput;
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
        try
        {
            await Task.WhenAll(feed, process.StandardOutput.CopyToAsync(output, cancellationToken)).ConfigureAwait(false);
            if (await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false) is var status and not 0)
                throw new ToolFailedException(Path.GetFileName(command.Program), status, process.StderrTail);
        }
        catch (OperationCanceledException)
        {
            process.Kill();
            throw;
        }
    }
}
