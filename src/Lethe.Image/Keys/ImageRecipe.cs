using Lethe.Spec;

namespace Lethe.Image.Keys;

/// <summary>A file the image gets, with the hash of its content (which is what the key depends on).</summary>
public sealed record RecipeFile(string Source, string Destination, int Mode, string Sha256);

/// <summary>
/// The parts of a spec that shape the image, and nothing else: resources, environment, accelerator,
/// init mode and machine name are decided at boot and must not cause a rebuild.
/// </summary>
public sealed record ImageRecipe(
    string Suite,
    IReadOnlyList<string> Packages,
    string UserName,
    int UserUid,
    bool UserSudo,
    IReadOnlyList<RecipeFile> Files)
{
    /// <param name="sha256OfFile">Hashes a host file's content (lowercase hex); tests pass a fake.</param>
    public static ImageRecipe From(MachineSpec spec, Func<string, string> sha256OfFile) =>
        new(
            spec.Image.Suite,
            [.. spec.Image.Packages.Select(package => package.Trim()).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)],
            spec.User.Name,
            spec.User.Uid,
            spec.User.Sudo,
            [.. spec.Image.Files
                .Select(file => new RecipeFile(file.Source, file.Destination, file.Mode, sha256OfFile(file.Source)))
                .OrderBy(file => file.Destination, StringComparer.Ordinal)]);

    /// <summary>Packages to install: the base every lethe image needs (openssh-server: every workstation runs
    /// sshd on its loopback; its build-time host keys are removed by the customization), then the spec's.</summary>
    public IReadOnlyList<string> IncludedPackages =>
    [
        .. new[] { "linux-image-amd64", "systemd-sysv", "util-linux", "openssh-server" }
            .Concat(UserSudo ? ["sudo"] : [])
            .Concat(Packages)
            .Distinct(StringComparer.Ordinal),
    ];
}
