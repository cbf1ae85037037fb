namespace Lethe.Protocol.Boot;

/// <summary>What the guest does about SSH host keys at boot.</summary>
public enum HostKeyAction
{
    /// <summary>No ssh-keygen in the image and nothing saved: no host keys.</summary>
    None,
    /// <summary>ssh-keygen -A: fresh keys for this boot only (when the image has sshd).</summary>
    Generate,
    /// <summary>ssh-keygen -A, then save the keys on the persist disk for the next boots.</summary>
    GenerateAndSave,
    /// <summary>Copy the keys saved on the persist disk into /etc/ssh.</summary>
    Restore,
}

/// <summary>
/// Pure: SSH host keys. A machine that keeps its identity restores the keys saved at its first boot
/// (made with ssh-keygen -A then). Any other machine gets fresh keys at every boot, but only when the
/// image has an SSH server: ssh-keygen -A takes about 10 s under TCG (the RSA key), a price a one-shot
/// run should not pay for keys nothing would use.
/// </summary>
public static class HostKeyPlan
{
    public const int PrivateMode = 0b110_000_000;
    public const int PublicMode = 0b110_100_100;

    public static HostKeyAction Decide(bool keepIdentity, IEnumerable<string> savedFileNames, bool keygenExists, bool serverExists) =>
        keepIdentity && savedFileNames.Any(IsPrivateKey) ? HostKeyAction.Restore
        : !keygenExists ? HostKeyAction.None
        : keepIdentity ? HostKeyAction.GenerateAndSave
        : serverExists ? HostKeyAction.Generate
        : HostKeyAction.None;

    /// <summary>The mode of a host key file (0600 private, 0644 public), or null for any other file name.</summary>
    public static int? Mode(string fileName) =>
        IsPrivateKey(fileName) ? PrivateMode
        : fileName.EndsWith(".pub", StringComparison.Ordinal) && IsPrivateKey(fileName[..^4]) ? PublicMode
        : null;

    private static bool IsPrivateKey(string fileName) =>
        fileName.Length > "ssh_host__key".Length
        && fileName.StartsWith("ssh_host_", StringComparison.Ordinal)
        && fileName.EndsWith("_key", StringComparison.Ordinal)
        && !fileName.Contains('/');
}
