using System.Text;
using Lethe.Core;
using Lethe.Image.Tools;

namespace Lethe.Machine.SignedChannel;

/// <summary>
/// Signs and verifies with <c>ssh-keygen -Y</c> (OpenSSH's SSHSIG), so the publisher's key may be an ordinary
/// ed25519 key or one on a security key (sk-ed25519). The signed bytes go through stdin: no shell, no temp copy.
/// </summary>
public static class SshSignature
{
    /// <summary>Long enough for a touch on a security key.</summary>
    private static readonly TimeSpan SignTimeout = TimeSpan.FromMinutes(2);
    private static readonly TimeSpan VerifyTimeout = TimeSpan.FromSeconds(60);

    public static async Task<string> SignAsync(string keyFile, byte[] data, CancellationToken cancellationToken)
    {
        var command = new HostCommand("ssh-keygen").WithArguments("-Y", "sign", "-f", keyFile, "-n", ChannelLayout.Namespace);
        var signature = await PipeAsync(command, data, SignTimeout, cancellationToken).ConfigureAwait(false);
        if (!signature.StartsWith("-----BEGIN SSH SIGNATURE-----", StringComparison.Ordinal))
            throw new LetheException("ssh-keygen -Y sign gave no signature");
        return signature;
    }

    /// <summary>True when <paramref name="signatureFile"/> is a good signature of <paramref name="data"/> by a key the
    /// allowed signers file lets sign for <see cref="ChannelLayout.Principal"/> in <see cref="ChannelLayout.Namespace"/>.</summary>
    public static async Task<bool> VerifyAsync(string allowedSignersFile, string signatureFile, byte[] data, CancellationToken cancellationToken)
    {
        var command = new HostCommand("ssh-keygen").WithArguments("-Y", "verify", "-f", allowedSignersFile,
            "-I", ChannelLayout.Principal, "-n", ChannelLayout.Namespace, "-s", signatureFile);
        try
        {
            await PipeAsync(command, data, VerifyTimeout, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (ToolFailedException)
        {
            return false;
        }
    }

    private static async Task<string> PipeAsync(HostCommand command, byte[] data, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        using var output = new MemoryStream();
        try
        {
            await BinaryPipe.RunAsync(command, data, output, deadline.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new LetheException($"ssh-keygen did not finish within {timeout.TotalSeconds:0} s");
        }
        return Encoding.UTF8.GetString(output.ToArray());
    }
}
