namespace Lethe.Spec;

/// <summary>The spec's <c>ssh:</c> section: who may log in over SSH, and what a session gets from the host.</summary>
public sealed record SshSpec
{
    /// <summary>
    /// Public key files as written (<c>~/.ssh/id_ed25519.pub</c>); the machine layer expands <c>~</c> and
    /// accepts only public keys. Empty with <see cref="AgentKeys"/> false: lethe makes a per-machine key.
    /// </summary>
    public IReadOnlyList<string> AuthorizedKeys { get; init; } = [];

    /// <summary><c>authorized_keys: agent</c>: the public keys of the host's running SSH agent.</summary>
    public bool AgentKeys { get; init; }

    /// <summary>Forward the host's SSH agent into every session.</summary>
    public bool ForwardAgent { get; init; }

    /// <summary>Names of host variables whose values reach a session's environment, and nothing else.</summary>
    public IReadOnlyList<string> SendEnv { get; init; } = [];

    /// <summary>Whether lethe makes and uses its own key for this machine.</summary>
    public bool UsesMachineKey => AuthorizedKeys.Count == 0 && !AgentKeys;
}

/// <summary>The spec's <c>gpg:</c> section.</summary>
public sealed record GpgSpec
{
    /// <summary>Forward gpg-agent's extra socket, for OpenPGP signing with a key that stays on the host.</summary>
    public bool ForwardAgent { get; init; }
}

/// <summary>One host USB device attached to the machine, by its vendor and product ids (4 hex digits each, lower case).</summary>
public sealed record UsbDeviceSpec(string Vendor, string Product);

/// <summary>The spec's <c>share:</c> section: host configuration staged into the machine.</summary>
public sealed record ShareSpec
{
    /// <summary>Stage the host's global git config, sanitized (no credential helpers).</summary>
    public bool GitConfig { get; init; }
}
