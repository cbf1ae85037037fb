using System.Diagnostics;
using Lethe.Protocol;
using Lethe.Protocol.Boot;

namespace Lethe.Guest.Session;

/// <summary>
/// With a gpg-agent forward, the host's public keys go into the user's keyring, and gpg is told never to
/// start an agent of its own (<c>no-autostart</c> in gpg.conf), so that signing goes to the forwarded socket.
/// Runs as the user, in the session's environment: nothing of the user's is touched as root.
/// </summary>
internal static class GpgKeyImport
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    private const string Script =
        "umask 077; home=\"${GNUPGHOME:-$HOME/.gnupg}\"; mkdir -p \"$home\" || exit 1; " +
        "grep -qsx no-autostart \"$home/gpg.conf\" || echo no-autostart >> \"$home/gpg.conf\" || exit 1; " +
        "exec gpg --batch --no-tty --quiet --import";

    /// <summary>Null on success, else what went wrong, as one line.</summary>
    public static async Task<string?> RunAsync(string armoredKeys, GuestSeed seed)
    {
        var info = UserCommand.StartInfo(new ExecRequest { Argv = ["/bin/sh", "-c", Script] }, seed);
        info.RedirectStandardError = true;
        try
        {
            using var process = Process.Start(info) ?? throw new InvalidOperationException("no process");
            var errors = process.StandardError.ReadToEndAsync();
            var output = process.StandardOutput.ReadToEndAsync();
            await process.StandardInput.WriteAsync(armoredKeys).ConfigureAwait(false);
            process.StandardInput.Close();
            using var timeout = new CancellationTokenSource(Timeout);
            await process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
            await output.ConfigureAwait(false);
            var stderr = await errors.ConfigureAwait(false);
            return process.ExitCode == 0 ? null : $"gpg --import failed ({process.ExitCode}): {stderr.Trim().Split('\n').LastOrDefault()}";
        }
        catch (Exception e) when (e is IOException or InvalidOperationException or OperationCanceledException or System.ComponentModel.Win32Exception)
        {
            return e.Message;
        }
    }
}
