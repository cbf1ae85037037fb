namespace Lethe.Image.Rootfs;

/// <summary>Something the host lacks, and the one command that fixes it.</summary>
/// <param name="Blocks">Whether lethe cannot work without it (otherwise it only makes lethe slower).</param>
public sealed record HostFinding(string Problem, string Fix, bool Blocks = true);

/// <summary>
/// What the host says about user namespaces and this user's subordinate ids (read by <see cref="Read"/>;
/// the decision in <see cref="UserNamespaceReadiness"/> is pure). A sysctl that does not exist is null.
/// </summary>
public sealed record UserNamespaceFacts(
    bool RunningAsRoot,
    string UserName,
    long UserId,
    string? UnprivilegedUsernsClone,
    string? MaxUserNamespaces,
    string? AppArmorRestrictsUserns,
    string SubuidText,
    string SubgidText,
    bool NewuidmapPresent)
{
    public static UserNamespaceFacts Read() => new(
        Environment.IsPrivilegedProcess,
        Environment.UserName,
        CurrentUserId(),
        ReadOrNull("/proc/sys/kernel/unprivileged_userns_clone"),
        ReadOrNull("/proc/sys/user/max_user_namespaces"),
        ReadOrNull("/proc/sys/kernel/apparmor_restrict_unprivileged_userns"),
        ReadOrNull("/etc/subuid") ?? "",
        ReadOrNull("/etc/subgid") ?? "",
        File.Exists("/usr/bin/newuidmap") && File.Exists("/usr/bin/newgidmap"));

    private static long CurrentUserId()
    {
        foreach (var line in (ReadOrNull("/proc/self/status") ?? "").Split('\n'))
        {
            if (line.StartsWith("Uid:", StringComparison.Ordinal))
                return long.Parse(line.Split('\t', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture);
        }
        return -1;
    }

    private static string? ReadOrNull(string path)
    {
        try
        {
            return File.ReadAllText(path).Trim();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}

/// <summary>Whether this user can build an image in a user namespace, and if not, the one fix for each gap (pure).</summary>
public static class UserNamespaceReadiness
{
    private const string SysctlFile = "/etc/sysctl.d/60-lethe-userns.conf";

    public static IReadOnlyList<HostFinding> Findings(UserNamespaceFacts facts)
    {
        // Root builds in mmdebstrap's root mode: no namespace, no subordinate ids.
        if (facts.RunningAsRoot)
            return [];
        var findings = new List<HostFinding>();
        if (facts.UnprivilegedUsernsClone == "0")
            findings.Add(new("user namespaces are disabled for users who are not root (kernel.unprivileged_userns_clone=0)", Sysctl("kernel.unprivileged_userns_clone=1")));
        if (facts.MaxUserNamespaces == "0")
            findings.Add(new("user namespaces are disabled (user.max_user_namespaces=0)", Sysctl("user.max_user_namespaces=15000")));
        if (facts.AppArmorRestrictsUserns == "1")
            findings.Add(new("AppArmor takes every capability from unprivileged user namespaces (kernel.apparmor_restrict_unprivileged_userns=1)",
                Sysctl("kernel.apparmor_restrict_unprivileged_userns=0")));
        if (!facts.NewuidmapPresent)
            findings.Add(new("newuidmap and newgidmap are missing: an image build maps this user's subordinate ids with them",
                "sudo apt-get update && sudo apt-get install --no-install-recommends uidmap"));
        if (SubordinateIds.Problem(facts.SubuidText, facts.SubgidText, facts.UserName, facts.UserId) is { } problem)
            findings.Add(new(problem, SubordinateIds.FixCommand(facts.SubuidText, facts.SubgidText, facts.UserName)));
        return findings;
    }

    /// <summary>Set now and at every boot, in one command.</summary>
    private static string Sysctl(string setting) => $"echo {setting} | sudo tee -a {SysctlFile} && sudo sysctl -p {SysctlFile}";
}
