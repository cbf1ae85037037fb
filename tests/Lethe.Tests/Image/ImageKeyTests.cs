using Lethe.Image.Keys;
using Lethe.Image.Lock;
using Lethe.Spec;

namespace Lethe.Tests.Image;

public sealed class ImageKeyTests
{
    private static readonly PackageLock Lock = PackageLock.FromDpkgQuery("bookworm", "ii apt=2.6.1\nii bash=5.2\n");
    private const string InitSha = "1111111111111111111111111111111111111111111111111111111111111111";

    private static readonly MachineSpec Spec = new()
    {
        Name = "dev",
        Image = new ImageSpec
        {
            Suite = "bookworm",
            Packages = ["git", "curl"],
            Files = [new FileSpec("/host/motd", "/etc/motd", 0b110_100_100)],
        },
        User = new UserSpec("dev", 1000, Sudo: false),
        Resources = new ResourceSpec(1024, 2),
        SourcePath = "/work/lethe.yaml",
    };

    private static ImageKeys Keys(MachineSpec spec, PackageLock? packageLock = null, string initSha = InitSha, string fileHash = "aa") =>
        ImageKey.Compute(ImageRecipe.From(spec, _ => fileHash), packageLock ?? Lock, initSha);

    [Fact]
    public void What_is_decided_at_boot_does_not_change_the_key()
    {
        var key = Keys(Spec);

        Keys(Spec with { Name = "other" }).ShouldBe(key);
        Keys(Spec with { Resources = new ResourceSpec(8192, 8) }).ShouldBe(key);
        Keys(Spec with { Env = new Dictionary<string, string> { ["EDITOR"] = "vi" } }).ShouldBe(key);
        Keys(Spec with { Accel = AccelMode.Tcg }).ShouldBe(key);
        Keys(Spec with { Init = InitSystem.Systemd }).ShouldBe(key);
        Keys(Spec with { SourcePath = "/elsewhere/lethe.yaml" }).ShouldBe(key);
        Keys(Spec with { Image = Spec.Image with { Packages = ["curl", "git", "git"] } }).ShouldBe(key);
        Keys(Spec with { Image = Spec.Image with { Files = [new FileSpec("/other/source", "/etc/motd", 0b110_100_100)] } }).ShouldBe(key);
    }

    [Fact]
    public void What_shapes_the_image_changes_both_keys()
    {
        var key = Keys(Spec);
        var changed = new[]
        {
            Keys(Spec with { Image = Spec.Image with { Suite = "trixie" } }),
            Keys(Spec with { Image = Spec.Image with { Packages = ["git"] } }),
            Keys(Spec with { User = new UserSpec("ana", 1000) }),
            Keys(Spec with { User = new UserSpec("dev", 1001) }),
            Keys(Spec with { User = new UserSpec("dev", 1000, Sudo: true) }),
            Keys(Spec with { Image = Spec.Image with { Files = [new FileSpec("/host/motd", "/etc/issue", 0b110_100_100)] } }),
            Keys(Spec with { Image = Spec.Image with { Files = [new FileSpec("/host/motd", "/etc/motd", 0b111_101_101)] } }),
            Keys(Spec, fileHash: "bb"),
            Keys(Spec, PackageLock.FromDpkgQuery("bookworm", "ii apt=2.6.2\nii bash=5.2\n")),
        };

        foreach (var other in changed)
        {
            other.Rootfs.ShouldNotBe(key.Rootfs);
            other.Digest.ShouldNotBe(key.Digest);
        }
        changed.Select(other => other.Digest).Distinct().Count().ShouldBe(changed.Length);
    }

    [Fact]
    public void A_new_guest_init_changes_the_image_digest_but_not_the_rootfs_key()
    {
        var key = Keys(Spec);
        var other = Keys(Spec, initSha: "2222222222222222222222222222222222222222222222222222222222222222");

        other.Rootfs.ShouldBe(key.Rootfs);
        other.Digest.ShouldNotBe(key.Digest);
    }

    [Fact]
    public void Keys_are_lowercase_sha256_hex_and_stable()
    {
        var key = Keys(Spec);

        key.Rootfs.ShouldMatch("^[0-9a-f]{64}$");
        key.Digest.ShouldMatch("^[0-9a-f]{64}$");
        Keys(Spec).ShouldBe(key);
    }

    [Fact]
    public void The_canonical_recipe_lists_base_packages_sudo_and_files()
    {
        var text = ImageKey.CanonicalRecipe(ImageRecipe.From(Spec with { User = new UserSpec("dev", 1000, Sudo: true) }, _ => "aa"));

        text.ShouldStartWith($"lethe-rootfs {ImageKey.SchemaVersion}\nsuite bookworm\n");
        text.ShouldContain("package curl\npackage git\npackage linux-image-amd64\npackage openssh-server\npackage sudo\npackage systemd-sysv\npackage util-linux\n");
        text.ShouldContain("user dev 1000 sudo=yes\n");
        text.ShouldContain("file /etc/motd 0644 aa\n");
        text.ShouldContain("module erofs\n");
    }

    [Fact]
    public void The_file_system_uuid_is_a_version_4_uuid_taken_from_the_key()
    {
        var uuid = ImageKey.FileSystemUuid(Keys(Spec).Rootfs);

        uuid.ToString().ShouldMatch("^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$");
        ImageKey.FileSystemUuid(Keys(Spec).Rootfs).ShouldBe(uuid);
        ImageKey.FileSystemUuid(Keys(Spec, fileHash: "bb").Rootfs).ShouldNotBe(uuid);
    }
}
