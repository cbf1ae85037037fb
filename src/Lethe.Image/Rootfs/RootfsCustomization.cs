using System.Globalization;
using Lethe.Image.Keys;

namespace Lethe.Image.Rootfs;

/// <summary>Files matching <see cref="NamePattern"/> in <see cref="Directory"/> (relative to the rootfs) to delete.</summary>
/// <param name="Recursive">Look in subfolders too (folders themselves are kept unless <paramref name="FoldersToo"/>).</param>
public sealed record CleanupRule(string Directory, string NamePattern, bool Recursive = false, bool FoldersToo = false);

/// <summary>A file the customization writes with fixed content (replacing a symlink if one is there).</summary>
public sealed record FixedFile(string Path, string Content, int Mode);

/// <summary>
/// What is done to the rootfs after mmdebstrap: the user, sudo, the spec's files, and removal of
/// per-machine identity and of leftovers that differ from build to build. Pure decisions only.
/// </summary>
public static class RootfsCustomization
{
    public const string SudoersPath = "etc/sudoers.d/lethe";

    /// <summary>Run inside the chroot; SOURCE_DATE_EPOCH makes shadow's "last password change" stable.</summary>
    public static IReadOnlyList<string> UserAddArguments(ImageRecipe recipe) =>
        ["useradd", "-m", "-U", "-u", recipe.UserUid.ToString(CultureInfo.InvariantCulture), "-s", "/bin/bash", recipe.UserName];

    public static string SudoersText(string userName) => $"{userName} ALL=(ALL:ALL) NOPASSWD: ALL\n";

    /// <summary>Installs a staged file inside the chroot, so that symlinks in the path resolve inside it.</summary>
    public static IReadOnlyList<string> InstallArguments(string stagedPathInChroot, RecipeFile file) =>
        ["install", "-D", "-o", "root", "-g", "root", "-m", Convert.ToString(file.Mode, 8).PadLeft(4, '0'), stagedPathInChroot, file.Destination];

    public static readonly IReadOnlyList<CleanupRule> Cleanup =
    [
        // per-machine identity: the guest creates its own at boot
        new("etc", "hostname"),
        new("etc/ssh", "ssh_host_*"),
        new("var/lib/dbus", "machine-id"),
        new("var/lib/systemd", "random-seed"),
        // leftovers that change from build to build
        new("var/cache/ldconfig", "aux-cache"),
        new("var/log", "*", Recursive: true),
        new("var/cache/debconf", "*-old"),
        new("var/lib/dpkg", "*-old"),
        new("etc", "*-"),
        new("var/lib/apt/lists", "*", Recursive: true),
        new("var/cache/apt", "*.bin"),
        new("etc/apt/preferences.d", "lethe-lock"),
        new("tmp", "*", Recursive: true, FoldersToo: true),
        new("var/tmp", "*", Recursive: true, FoldersToo: true),
        new("root", ".bash_history"),
        // Root mode makes device nodes here and a user namespace cannot: the guest mounts devtmpfs over
        // /dev anyway, so both leave it empty, and root and any other user build the same image.
        new("dev", "*", Recursive: true, FoldersToo: true),
    ];

    public static readonly IReadOnlyList<FixedFile> FixedFiles =
    [
        // Empty means "no id yet, not first boot": systemd then makes a transient one (the guest writes its own).
        new("etc/machine-id", "", 0b100_100_100),
        // mmdebstrap copies the host's resolver; QEMU user networking answers DNS at 10.0.2.3.
        new("etc/resolv.conf", "nameserver 10.0.2.3\n", 0b110_100_100),
    ];

    /// <summary>What the customization writes with fixed content: sudoers when the user may sudo, then <see cref="FixedFiles"/>.</summary>
    public static IReadOnlyList<FixedFile> FixedFilesFor(ImageRecipe recipe) =>
        recipe.UserSudo ? [new FixedFile(SudoersPath, SudoersText(recipe.UserName), 0b100_100_000), .. FixedFiles] : FixedFiles;

    /// <summary>The <c>find</c> arguments that apply a rule under <paramref name="rootfs"/>.</summary>
    public static IReadOnlyList<string> FindArguments(string rootfs, CleanupRule rule)
    {
        var arguments = new List<string> { Path.Combine(rootfs, rule.Directory), "-xdev", "-mindepth", "1" };
        if (!rule.Recursive)
            arguments.AddRange(["-maxdepth", "1"]);
        if (!rule.FoldersToo)
            arguments.AddRange(["!", "-type", "d"]);
        arguments.AddRange(["-name", rule.NamePattern, "-delete"]);
        return arguments;
    }
}
