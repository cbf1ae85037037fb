namespace Lethe.Machine.Qemu;

/// <summary>
/// The console log of one boot. lethe creates it itself (exclusively, never through a link, 0600) and
/// copies QEMU's console into it from a pipe, up to a cap: after the cap, one marker line, and the
/// rest is read and dropped, so a guest flooding its console can neither fill the host's disk nor
/// stall on a full pipe.
/// </summary>
public static class ConsoleLog
{
    public const long DefaultCapBytes = 4L << 20;

    public static string Marker(long capBytes) =>
        $"\n[lethe: console log capped at {capBytes} bytes; the rest of this boot's console was dropped]\n";

    /// <summary>O_CREAT|O_EXCL: fails on anything already there, a planted link included.</summary>
    public static FileStream CreateExclusive(string path)
    {
        try
        {
            return new FileStream(path, new FileStreamOptions
            {
                Mode = FileMode.CreateNew,
                Access = FileAccess.Write,
                Share = FileShare.Read,
                UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
                BufferSize = 0,
            });
        }
        catch (IOException e)
        {
            throw new Lethe.Core.LetheException($"cannot create the console log {path}: {e.Message}", inner: e);
        }
    }

    /// <summary>Copies <paramref name="console"/> to <paramref name="log"/> until end of stream; returns the bytes kept.</summary>
    public static async Task<long> CopyAsync(Stream console, Stream log, long capBytes, CancellationToken cancellationToken = default)
    {
        var buffer = new byte[64 * 1024];
        long kept = 0;
        var capped = false;
        int read;
        while ((read = await console.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
        {
            if (capped)
                continue;
            var room = (int)Math.Min(read, capBytes - kept);
            await log.WriteAsync(buffer.AsMemory(0, room), cancellationToken).ConfigureAwait(false);
            kept += room;
            if (room < read)
            {
                await log.WriteAsync(System.Text.Encoding.UTF8.GetBytes(Marker(capBytes)), cancellationToken).ConfigureAwait(false);
                capped = true;
            }
            await log.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
        return kept;
    }
}
