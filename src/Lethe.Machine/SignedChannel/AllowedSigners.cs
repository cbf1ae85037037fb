using Lethe.Core;

namespace Lethe.Machine.SignedChannel;

/// <summary>
/// The consumer's pinned keys, in OpenSSH's allowed_signers format (ssh-keygen(1), ALLOWED SIGNERS), e.g.
/// <c>lethe-channel namespaces="lethe-channel" ssh-ed25519 AAAA…</c>. Only lines whose principals name
/// <see cref="ChannelLayout.Principal"/> (or a pattern matching it) can sign a channel.
/// </summary>
public sealed record AllowedSigners(string Text)
{
    public const int MaxBytes = 64 * 1024;

    /// <summary>Pure: the pinned signers in <paramref name="text"/>, or a usage error when no line can sign a channel.</summary>
    public static AllowedSigners Parse(string text, string origin)
    {
        if (text.Length > MaxBytes)
            throw new UsageException($"{origin}: allowed signers larger than {MaxBytes} bytes");
        var lines = text.Split('\n').Select(line => line.Trim()).Where(line => line.Length > 0 && !line.StartsWith('#')).ToList();
        if (!lines.Any(line => line.Split(' ', 2)[0].Split(',').Any(NamesChannel)))
            throw new UsageException($"{origin}: no allowed signer for the principal {ChannelLayout.Principal} (a line like: {ChannelLayout.Principal} namespaces=\"{ChannelLayout.Namespace}\" ssh-ed25519 AAAA...)");
        return new AllowedSigners(text.EndsWith('\n') ? text : text + "\n");
    }

    public static AllowedSigners FromFile(string path)
    {
        if (!File.Exists(path))
            throw new UsageException($"{path}: no such allowed signers file");
        using var stream = File.OpenRead(path);
        if (stream.Length > MaxBytes)
            throw new UsageException($"{path}: allowed signers larger than {MaxBytes} bytes");
        return Parse(new StreamReader(stream).ReadToEnd(), path);
    }

    private static bool NamesChannel(string principal) =>
        principal == ChannelLayout.Principal || principal == "*" || (principal.EndsWith('*') && ChannelLayout.Principal.StartsWith(principal[..^1], StringComparison.Ordinal));
}
