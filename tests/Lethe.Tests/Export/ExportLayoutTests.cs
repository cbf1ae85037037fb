using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Lethe.Machine.Export;
using Lethe.Spec;

namespace Lethe.Tests.Export;

public sealed class ExportLayoutTests
{
    private static MachineSpec Spec(string yaml = "") =>
        SpecLoader.Parse("name: box\nuser: {name: dev, uid: 1001}\nenv: {EDITOR: vim, A: \"1\"}\n" + yaml, "test.yaml").Spec.ShouldNotBeNull();

    private static readonly string Persist = """
        persist:
          paths:
            - ~/src
            - /etc/keep
            - {path: ~/.config/tool/settings, type: file}
        """;

    private const string Created = "2024-01-01T00:00:00Z";
    private static readonly string DiffId = "sha256:" + new string('a', 64);

    [Fact]
    public void The_profile_expands_the_allowlist_into_the_home_sorted_and_marks_files()
    {
        var profile = ContainerProfile.From(Spec(Persist));
        profile.Home.ShouldBe("/home/dev");
        profile.Kept.ShouldBe([new KeptPath("/etc/keep", false), new KeptPath("/home/dev/.config/tool/settings", true), new KeptPath("/home/dev/src", false)]);
        profile.Environment.ShouldBe(["A=1", "EDITOR=vim", "HOME=/home/dev", "LANG=C.UTF-8", "PATH=" + ContainerProfile.SearchPath, "USER=dev"]);
    }

    [Fact]
    public void The_config_runs_as_the_specs_uid_with_its_environment_and_labels_carrying_user_and_allowlist()
    {
        var profile = ContainerProfile.From(Spec(Persist));
        using var config = JsonDocument.Parse(OciLayout.Config(profile, DiffId, Created));
        var root = config.RootElement;
        root.GetProperty("created").GetString().ShouldBe(Created);
        root.GetProperty("architecture").GetString().ShouldBe("amd64");
        root.GetProperty("os").GetString().ShouldBe("linux");
        var inner = root.GetProperty("config");
        inner.GetProperty("User").GetString().ShouldBe("1001");
        inner.GetProperty("Env").EnumerateArray().Select(e => e.GetString()).ShouldContain("EDITOR=vim");
        var labels = inner.GetProperty("Labels");
        labels.GetProperty(OciLayout.UserLabel).GetString().ShouldBe("dev");
        labels.GetProperty(OciLayout.UidLabel).GetString().ShouldBe("1001");
        JsonSerializer.Deserialize<string[]>(labels.GetProperty(OciLayout.PersistLabel).GetString()!)
            .ShouldBe(["/etc/keep", "/home/dev/.config/tool/settings", "/home/dev/src"]);
        JsonSerializer.Deserialize<string[]>(labels.GetProperty(OciLayout.PersistFilesLabel).GetString()!).ShouldBe(["/home/dev/.config/tool/settings"]);
        root.GetProperty("rootfs").GetProperty("diff_ids").EnumerateArray().Single().GetString().ShouldBe(DiffId);
    }

    [Fact]
    public void The_same_inputs_give_the_same_bytes_and_the_clock_is_never_read()
    {
        var profile = ContainerProfile.From(Spec(Persist));
        OciLayout.Config(profile, DiffId, Created).ShouldBe(OciLayout.Config(ContainerProfile.From(Spec(Persist)), DiffId, Created));
        Encoding.UTF8.GetString(OciLayout.Config(profile, DiffId, Created)).ShouldNotContain(DateTime.UtcNow.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture));
        OciLayout.Created(1704067200).ShouldBe(Created);
    }

    [Fact]
    public void The_manifest_names_config_and_layer_by_digest_and_the_index_names_the_manifest_with_a_tag()
    {
        var config = OciDescriptor.Of(OciLayout.ConfigType, [1, 2, 3]);
        config.Digest.ShouldBe("sha256:" + Convert.ToHexStringLower(SHA256.HashData(new byte[] { 1, 2, 3 })));
        config.Size.ShouldBe(3);
        var layer = new OciDescriptor(OciLayout.GzipLayerType, "sha256:" + new string('b', 64), 42);
        var manifestBytes = OciLayout.Manifest(config, layer, Created);
        Encoding.UTF8.GetString(manifestBytes).ShouldContain("application/vnd.oci.image.manifest.v1+json");

        using var manifest = JsonDocument.Parse(manifestBytes);
        manifest.RootElement.GetProperty("schemaVersion").GetInt32().ShouldBe(2);
        manifest.RootElement.GetProperty("config").GetProperty("digest").GetString().ShouldBe(config.Digest);
        var onlyLayer = manifest.RootElement.GetProperty("layers").EnumerateArray().Single();
        onlyLayer.GetProperty("mediaType").GetString().ShouldBe(OciLayout.GzipLayerType);
        onlyLayer.GetProperty("size").GetInt64().ShouldBe(42);

        var descriptor = OciDescriptor.Of(OciLayout.ManifestType, manifestBytes);
        using var index = JsonDocument.Parse(OciLayout.Index(descriptor));
        var entry = index.RootElement.GetProperty("manifests").EnumerateArray().Single();
        entry.GetProperty("digest").GetString().ShouldBe(descriptor.Digest);
        entry.GetProperty("size").GetInt64().ShouldBe(manifestBytes.Length);
        entry.GetProperty("annotations").GetProperty(OciLayout.RefNameAnnotation).GetString().ShouldBe(OciLayout.Tag);
        Encoding.UTF8.GetString(OciLayout.LayoutFile()).ShouldBe("{\"imageLayoutVersion\":\"1.0.0\"}");
    }

    [Fact]
    public void Lxc_metadata_has_the_mandatory_fields_and_quotes_every_value()
    {
        var yaml = LxcMetadata.Yaml(ContainerProfile.From(Spec(Persist)), 1704067200);
        yaml.ShouldStartWith("architecture: x86_64\ncreation_date: 1704067200\nproperties:\n");
        yaml.ShouldContain("  description: \"lethe machine box: Debian bookworm, user dev\"\n");
        yaml.ShouldContain("  release: \"bookworm\"\n");
        yaml.ShouldContain("  lethe.persist: \"/etc/keep /home/dev/.config/tool/settings /home/dev/src\"\n");
        LxcMetadata.Quote("a\"b\\c\nd").ShouldBe("\"a\\\"b\\\\c\\x0ad\"");
    }

    [Fact]
    public void Tar_is_told_to_sort_fix_times_use_numeric_owners_and_drop_atime_ctime_and_pids()
    {
        var tar = DeterministicTar.Tree("/w/layer.tar", "/w/rootfs", ["."], 1704067200);
        tar.Program.ShouldBe("tar");
        tar.Arguments.ShouldContain("--sort=name");
        tar.Arguments.ShouldContain("--mtime=@1704067200");
        tar.Arguments.ShouldContain("--numeric-owner");
        tar.Arguments.ShouldContain("--format=posix");
        tar.Arguments.ShouldContain("--pax-option=exthdr.name=%d/PaxHeaders/%f,delete=atime,delete=ctime");
        tar.Arguments.ShouldNotContain("--owner=0");
        tar.Arguments[^2].ShouldBe("--");
        DeterministicTar.Tree("/a", "/b", ["rootfs"], 1, append: true).Arguments[0].ShouldBe("--append");

        var normalised = DeterministicTar.Normalised("/w/oci.tar", "/w/oci", ["blobs", "index.json", "oci-layout"], 1704067200);
        normalised.Arguments.ShouldContain("--owner=0");
        normalised.Arguments.ShouldContain("--group=0");
        normalised.Arguments.ShouldContain("--mode=u=rwX,go=rX");
        DeterministicTar.Gzip("/w/layer.tar").Arguments.ShouldBe(["--no-name", "--fast", "--keep", "--", "/w/layer.tar"]);
    }

    [Theory]
    [InlineData("oci", ExportFormat.Oci)]
    [InlineData("OCI", ExportFormat.Oci)]
    [InlineData("lxc", ExportFormat.Lxc)]
    [InlineData("incus", ExportFormat.Lxc)]
    [InlineData("qcow2", ExportFormat.Qcow2)]
    public void Formats_are_parsed_by_name(string name, ExportFormat expected) => ExportFormats.Parse(name).ShouldBe(expected);

    [Fact]
    public void Unknown_formats_and_default_outputs()
    {
        ExportFormats.Parse("qcow3").ShouldBeNull();
        ExportFormat.Oci.DefaultOutput("box").ShouldBe("box-oci");
        ExportFormat.Lxc.DefaultOutput("box").ShouldBe("box.lxc.tar.gz");
        ExportFormat.Qcow2.DefaultOutput("box").ShouldBe("box.qcow2");
        ExportFormat.Qcow2.IsDisk().ShouldBeTrue();
        ExportFormat.Oci.IsDisk().ShouldBeFalse();
        ExportFormats.IsOciArchive("/x/box.tar").ShouldBeTrue();
        ExportFormats.IsOciArchive("/x/box-oci").ShouldBeFalse();
    }
}

public sealed class SpecialModesTests
{
    [Fact]
    public void Find_output_is_grouped_by_mode_and_paths_that_could_escape_the_tree_are_dropped()
    {
        var listing = "4755\tusr/bin/sudo\0" + "2755\tusr/bin/chage\0" + "4755\tusr/bin/passwd\0" + "1777\ttmp\0"
            + "4755\t../etc/shadow\0" + "4755\t/etc/x\0" + "rwx\tbad\0" + "4755\tname\twith tab\0";
        SpecialModes.Parse(listing).Select(group => $"{group.Mode}:{string.Join(',', group.Paths)}").ShouldBe(
            ["1777:tmp", "2755:usr/bin/chage", "4755:name\twith tab,usr/bin/passwd,usr/bin/sudo"]);
    }
}

public sealed class ExportHostTests
{
    [Fact]
    public void A_missing_tool_is_named_with_the_command_that_installs_it()
    {
        ExportService.MissingToolsProblem(ExportFormat.Oci, _ => true, _ => false).ShouldBeNull();
        ExportService.MissingToolsProblem(ExportFormat.Oci, tool => tool != "fsck.erofs", _ => true)
            .ShouldBe("lethe export --format oci needs fsck.erofs; install them with: sudo apt-get update && sudo apt-get install --no-install-recommends erofs-utils tar gzip");
    }

    [Fact]
    public void A_disk_export_also_needs_the_partition_tools_and_the_bootloader()
    {
        ExportService.MissingToolsProblem(ExportFormat.Qcow2, _ => true, _ => true).ShouldBeNull();
        var problem = ExportService.MissingToolsProblem(ExportFormat.Qcow2, tool => tool != "mcopy", _ => false);
        problem.ShouldNotBeNull();
        problem.ShouldStartWith("lethe export --format qcow2 needs mcopy, /usr/lib/systemd/boot/efi/systemd-bootx64.efi; ");
        problem.ShouldContain("mtools");
        problem.ShouldContain("systemd-boot-efi");
    }
}
