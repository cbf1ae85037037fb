namespace Lethe.Protocol.Boot;

/// <summary>What the guest does about its SSH host key at boot.</summary>
public enum HostKeyAction
{
    /// <summary>No sshd will run (a one-shot run, or no ssh-keygen in the image) and nothing saved: no host key.</summary>
    None,
    /// <summary>A fresh ed25519 key for this boot only.</summary>
    Generate,
    /// <summary>A fresh ed25519 key, saved on the persist disk for the next boots.</summary>
    GenerateAndSave,
    /// <summary>Copy the key saved on the persist disk into /etc/ssh.</summary>
    Restore,
}

/// <summary>
/// Pure: the SSH host key. One ed25519 key only: <c>ssh-keygen -A</c> would also make an RSA key, which takes
/// about 10 s under TCG. A machine that keeps its identity restores the key saved at its first boot. Any other
/// machine gets a fresh key at every boot, but only when sshd will run (a workstation): a one-shot run
/// starts no sshd and pays nothing for a key nothing would use.
/// </summary>
public static class HostKeyPlan
{
    public const int PrivateMode = 0b110_000_000;
    public const int PublicMode = 0b110_100_100;
    public const string KeyName = "ssh_host_ed25519_key";

    public static HostKeyAction Decide(bool keepIdentity, IEnumerable<string> savedFileNames, bool keygenExists, bool serverWanted) =>
        keepIdentity && savedFileNames.Contains(KeyName, StringComparer.Ordinal) ? HostKeyAction.Restore
        : !keygenExists || !serverWanted ? HostKeyAction.None
        : keepIdentity ? HostKeyAction.GenerateAndSave
        : HostKeyAction.Generate;

    /// <summary>The mode of a host key file lethe keeps (0600 private, 0644 public), or null for any other
    /// file name: keys of other types saved by earlier versions are left alone, never restored.</summary>
    public static int? Mode(string fileName) =>
        fileName == KeyName ? PrivateMode
        : fileName == KeyName + ".pub" ? PublicMode
        : null;
}
