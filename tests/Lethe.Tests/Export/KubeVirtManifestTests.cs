using System.Text.Json;
using System.Text.Json.Nodes;
using Lethe.Machine.Export;
using Lethe.Spec;

namespace Lethe.Tests.Export;

public sealed class KubeVirtManifestTests
{
    private const string Digest = "sha256:bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";
    private const string Ref = "registry.example:5000/team/box:v1";

    private static MachineSpec Spec(string yaml = "resources: {memory: 2048, cpus: 3}\npersist: {size: 5G, paths: [~/src]}\n") =>
        SpecLoader.Parse("name: box\n" + yaml, "test.yaml").Spec.ShouldNotBeNull();

    private static (JsonNode Vm, JsonNode Claim) Documents(MachineSpec spec, string reference = Ref)
    {
        var documents = YamlDocuments.Parse(KubeVirtManifest.Yaml(spec, Digest, reference));
        documents.Count.ShouldBe(2);
        return (documents[0]!, documents[1]!);
    }

    [Fact]
    public void The_machine_boots_the_containerdisk_with_uefi_the_specs_resources_and_the_persist_claim_by_serial()
    {
        var (vm, claim) = Documents(Spec());
        vm["apiVersion"]!.GetValue<string>().ShouldBe("kubevirt.io/v1");
        vm["metadata"]!["name"]!.GetValue<string>().ShouldBe("box");
        vm["metadata"]!["annotations"]![KubeVirtManifest.ImageDigestAnnotation]!.GetValue<string>().ShouldBe(Digest);
        vm["spec"]!["runStrategy"]!.GetValue<string>().ShouldBe("Always");
        var pod = vm["spec"]!["template"]!["spec"]!;
        var domain = pod["domain"]!;
        domain["cpu"]!["cores"]!.GetValue<long>().ShouldBe(3);
        domain["resources"]!["requests"]!["memory"]!.GetValue<string>().ShouldBe("2048Mi");
        domain["firmware"]!["bootloader"]!["efi"]!["secureBoot"]!.GetValue<bool>().ShouldBeFalse();

        var disks = domain["devices"]!["disks"]!.AsArray();
        disks.Select(disk => disk!["name"]!.GetValue<string>()).ShouldBe(["containerdisk", "persist"]);
        disks[0]!["bootOrder"]!.GetValue<long>().ShouldBe(1);
        disks[0]!["disk"]!["bus"]!.GetValue<string>().ShouldBe("virtio");
        disks[1]!["serial"]!.GetValue<string>().ShouldBe("lethe-persist");
        disks[1]!["disk"]!["bus"]!.GetValue<string>().ShouldBe("virtio");
        domain["devices"]!["interfaces"]![0]!["masquerade"]!.AsObject().Count.ShouldBe(0);
        pod["networks"]![0]!["pod"].ShouldNotBeNull();
        pod["networks"]![0]!["name"]!.GetValue<string>().ShouldBe(domain["devices"]!["interfaces"]![0]!["name"]!.GetValue<string>());

        var volumes = pod["volumes"]!.AsArray();
        volumes[0]!["containerDisk"]!["image"]!.GetValue<string>().ShouldBe(Ref);
        volumes[1]!["persistentVolumeClaim"]!["claimName"]!.GetValue<string>().ShouldBe("box-persist");

        claim["kind"]!.GetValue<string>().ShouldBe("PersistentVolumeClaim");
        claim["metadata"]!["name"]!.GetValue<string>().ShouldBe("box-persist");
        claim["spec"]!["accessModes"]!.AsArray().Select(mode => mode!.GetValue<string>()).ShouldBe(["ReadWriteOnce"]);
        claim["spec"]!["resources"]!["requests"]!["storage"]!.GetValue<string>().ShouldBe("5120Mi");
    }

    [Fact]
    public void The_defaults_of_a_spec_without_resources_or_persist_are_what_lethe_up_uses()
    {
        var spec = Spec("");
        var (vm, claim) = Documents(spec);
        vm["spec"]!["template"]!["spec"]!["domain"]!["resources"]!["requests"]!["memory"]!.GetValue<string>().ShouldBe($"{spec.Resources.MemoryMiB}Mi");
        vm["spec"]!["template"]!["spec"]!["domain"]!["cpu"]!["cores"]!.GetValue<long>().ShouldBe(spec.Resources.Cpus);
        claim["spec"]!["resources"]!["requests"]!["storage"]!.GetValue<string>().ShouldBe($"{spec.Persist.SizeMiB}Mi");
    }

    [Fact]
    public void The_same_spec_digest_and_reference_give_the_same_bytes_and_no_time()
    {
        var first = KubeVirtManifest.Yaml(Spec(), Digest, Ref);
        first.ShouldBe(KubeVirtManifest.Yaml(Spec(), Digest, Ref));
        first.ShouldNotContain(DateTime.UtcNow.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture));
        first.ShouldNotContain("creationTimestamp");
        first.ShouldNotContain("\r");
    }

    [Theory]
    [InlineData("box")]
    [InlineData("registry.example/team/box")]
    [InlineData("registry.example:5000/team/box:v1.2")]
    [InlineData("localhost/box@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef")]
    [InlineData("quay.io/team/my_box-x:latest@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef")]
    public void Image_references_in_the_distribution_grammar_are_accepted(string reference) =>
        KubeVirtManifest.ImageRefProblem(reference).ShouldBeNull();

    [Theory]
    [InlineData("")]
    [InlineData("docker://registry.example/box")]
    [InlineData("registry.example/Team/box")]
    [InlineData("registry.example/box:")]
    [InlineData("registry.example/box@sha256:1234")]
    [InlineData("registry.example/box bad")]
    [InlineData("registry.example/box\n")]
    [InlineData("box\"\n    imagePullSecret: x")]
    [InlineData("box\n---\nkind: Secret")]
    public void Malformed_references_are_refused_before_they_reach_the_yaml(string reference)
    {
        KubeVirtManifest.ImageRefProblem(reference).ShouldNotBeNull();
        Should.Throw<ArgumentException>(() => KubeVirtManifest.Yaml(Spec(), Digest, reference));
    }

    [Fact]
    public void Image_ref_is_required_for_k8s_in_one_line_and_refused_for_other_formats()
    {
        var missing = KubeVirtManifest.ImageRefUsageProblem(ExportFormat.K8s, null).ShouldNotBeNull();
        missing.ShouldStartWith("--image-ref: required with --format k8s");
        missing.ShouldNotContain("\n");
        KubeVirtManifest.ImageRefUsageProblem(ExportFormat.K8s, "Bad Ref\nx").ShouldNotBeNull().ShouldNotContain("\n");
        KubeVirtManifest.ImageRefUsageProblem(ExportFormat.K8s, Ref).ShouldBeNull();
        KubeVirtManifest.ImageRefUsageProblem(ExportFormat.ContainerDisk, Ref).ShouldBe("--image-ref is only for --format k8s");
        KubeVirtManifest.ImageRefUsageProblem(ExportFormat.Oci, null).ShouldBeNull();
    }

    [Fact]
    public void Yaml_strings_are_quoted_so_no_value_becomes_another_type_key_or_document()
    {
        var yaml = YamlText.Document(new YamlMap
        {
            { "a", "true" },
            { "b", "1" },
            { "c", "x\n---\nkind: Secret\n\"q\": y" },
            { "d", new object[] { "one", new YamlMap { { "e", 2 }, { "f", new YamlMap() } } } },
            { "g", new object[0] },
        });
        var document = YamlDocuments.Parse(yaml).ShouldHaveSingleItem()!;
        document.ToJsonString().ShouldBe(JsonSerializer.Serialize(new
        {
            a = "true",
            b = "1",
            c = "x\n---\nkind: Secret\n\"q\": y",
            d = new object[] { "one", new { e = 2, f = new { } } },
            g = Array.Empty<object>(),
        }));
    }
}

public sealed class ContainerDiskFormatTests
{
    [Theory]
    [InlineData("containerdisk", ExportFormat.ContainerDisk)]
    [InlineData("ContainerDisk", ExportFormat.ContainerDisk)]
    [InlineData("k8s", ExportFormat.K8s)]
    [InlineData("kubevirt", ExportFormat.K8s)]
    public void The_kubevirt_formats_are_parsed_by_name(string name, ExportFormat expected) => ExportFormats.Parse(name).ShouldBe(expected);

    [Fact]
    public void Names_and_default_outputs()
    {
        ExportFormats.Names.ShouldContain("containerdisk");
        ExportFormats.Names.ShouldContain("k8s");
        ExportFormat.ContainerDisk.Name().ShouldBe("containerdisk");
        ExportFormat.K8s.Name().ShouldBe("k8s");
        ExportFormat.ContainerDisk.DefaultOutput("box").ShouldBe("box-containerdisk");
        ExportFormat.K8s.DefaultOutput("box").ShouldBe("box.kubevirt.yaml");
        ContainerDiskWriter.DiskPath("box").ShouldBe("disk/box.qcow2");
    }

    [Fact]
    public void The_disk_is_tarred_alone_as_qemu_107_mode_0440_and_its_folder_as_root()
    {
        var file = DeterministicTar.Owned("/w/layer.tar", "/w/tree", ["disk/box.qcow2"], 1704067200, 107, 107, "0440", append: true);
        file.Arguments.ShouldContain("--append");
        file.Arguments.ShouldContain("--owner=107");
        file.Arguments.ShouldContain("--group=107");
        file.Arguments.ShouldContain("--mode=0440");
        file.Arguments.ShouldContain("--no-recursion");
        file.Arguments.ShouldContain("--mtime=@1704067200");
        file.Arguments.TakeLast(2).ShouldBe(["--", "disk/box.qcow2"]);
        DeterministicTar.Owned("/w/layer.tar", "/w/tree", ["disk"], 1704067200, 0, 0, "0755", append: false).Arguments.ShouldContain("--create");
    }

    [Fact]
    public void The_containerdisk_config_runs_nothing_but_labels_the_machine()
    {
        var profile = ContainerProfile.From(SpecLoader.Parse("name: box\nuser: {name: dev, uid: 1001}\npersist: [~/src]\n", "t.yaml").Spec.ShouldNotBeNull());
        using var config = JsonDocument.Parse(OciLayout.ContainerDiskConfig(profile, "sha256:" + new string('a', 64), "2024-01-01T00:00:00Z"));
        var inner = config.RootElement.GetProperty("config");
        inner.TryGetProperty("User", out _).ShouldBeFalse();
        inner.TryGetProperty("Cmd", out _).ShouldBeFalse();
        inner.TryGetProperty("Env", out _).ShouldBeFalse();
        inner.GetProperty("Labels").GetProperty(OciLayout.UserLabel).GetString().ShouldBe("dev");
        inner.GetProperty("Labels").GetProperty(OciLayout.PersistLabel).GetString().ShouldBe("[\"/home/dev/src\"]");
        config.RootElement.GetProperty("history")[0].GetProperty("created_by").GetString().ShouldBe("lethe export --format containerdisk");
    }
}
