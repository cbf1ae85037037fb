using System.Text.Json.Nodes;
using Lethe.Machine.Export;
using Lethe.Spec;

namespace Lethe.Tests.Export;

/// <summary>
/// The k8s export read against the published schemas (vendored, trimmed: see KubeVirtSchema/README.md):
/// KubeVirt v1.9.0's v1.VirtualMachine and Kubernetes 1.36's core v1 PersistentVolumeClaim. And the
/// check itself can fail: a misspelled field, a wrong type, a missing required field are each caught.
/// </summary>
public sealed class KubeVirtSchemaTests
{
    private static readonly string Folder = Path.Combine(AppContext.BaseDirectory, "Export", "KubeVirtSchema");
    private static readonly OpenApiValidator KubeVirt = OpenApiValidator.Load(Path.Combine(Folder, "kubevirt-v1.9.0-virtualmachine.json"));
    private static readonly OpenApiValidator Kubernetes = OpenApiValidator.Load(Path.Combine(Folder, "kubernetes-1.36-persistentvolumeclaim.json"));

    private const string Ref = "registry.example/team/box@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    private static string Manifest(string yaml = "") => KubeVirtManifest.Yaml(
        SpecLoader.Parse("name: box\nresources: {memory: 2048, cpus: 3}\npersist: {size: 5G, paths: [~/src]}\n" + yaml, "test.yaml").Spec.ShouldNotBeNull(),
        "sha256:" + new string('b', 64), Ref);

    /// <summary>Each document checked against the definition its apiVersion and kind name.</summary>
    private static IReadOnlyList<string> Validate(string yaml) =>
    [
        .. YamlDocuments.Parse(yaml).SelectMany((document, index) =>
            ValidateOne(document).Select(error => $"document {index}: {error}")),
    ];

    private static IReadOnlyList<string> ValidateOne(JsonNode? document) =>
        (document?["apiVersion"]?.GetValue<string>(), document?["kind"]?.GetValue<string>()) switch
        {
            ("kubevirt.io/v1", "VirtualMachine") => KubeVirt.Validate(document, "v1.VirtualMachine"),
            ("v1", "PersistentVolumeClaim") => Kubernetes.Validate(document, "io.k8s.api.core.v1.PersistentVolumeClaim"),
            var (version, kind) => [$"no schema for {version}/{kind}"],
        };

    [Fact]
    public void The_manifest_is_a_virtual_machine_and_a_claim_that_both_schemas_accept()
    {
        var yaml = Manifest();
        YamlDocuments.Parse(yaml).Select(document => document!["kind"]!.GetValue<string>()).ShouldBe(["VirtualMachine", "PersistentVolumeClaim"]);
        Validate(yaml).ShouldBeEmpty();
    }

    [Theory]
    [InlineData("bootOrder: 1", "bootorder: 1", "unknown field 'bootorder'")]
    [InlineData("runStrategy:", "runstrategy:", "unknown field 'runstrategy'")]
    [InlineData("serial:", "seriall:", "unknown field 'seriall'")]
    [InlineData("accessModes:", "accesModes:", "unknown field 'accesModes'")]
    [InlineData("claimName:", "claim:", "missing required field 'claimName'")]
    [InlineData("secureBoot: false", "secureBoot: \"false\"", "$.spec.template.spec.domain.firmware.bootloader.efi.secureBoot: expected boolean")]
    [InlineData("cores: 3", "cores: \"3\"", "$.spec.template.spec.domain.cpu.cores: expected integer")]
    [InlineData("bootOrder: 1", "bootOrder: 99999999999", "bootOrder: expected integer")]
    [InlineData("masquerade: {}", "masquerade: {enabled: true}", "unknown field 'enabled'")]
    [InlineData("memory: \"2048Mi\"", "memory: \"2048MiB\"", "'2048MiB' is not a quantity")]
    [InlineData("storage: \"5120Mi\"", "storage: [\"5120Mi\"]", "$.spec.resources.requests.storage: expected string, found a list")]
    [InlineData("kind: \"VirtualMachine\"", "kind: \"VirtualMachin\"", "no schema for kubevirt.io/v1/VirtualMachin")]
    public void A_misspelled_field_a_wrong_type_or_a_missing_field_fails_the_check(string valid, string broken, string expected)
    {
        var yaml = Manifest();
        yaml.ShouldContain(valid);
        var errors = Validate(ReplaceFirst(yaml, valid, broken));
        errors.ShouldNotBeEmpty();
        errors.ShouldContain(error => error.Contains(expected), string.Join("\n", errors));
    }

    [Fact]
    public void A_reference_the_document_does_not_define_is_an_error_not_a_pass()
    {
        var definitions = new JsonObject
        {
            ["root"] = new JsonObject { ["type"] = "object", ["properties"] = new JsonObject { ["child"] = new JsonObject { ["$ref"] = "#/definitions/missing" } } },
        };
        new OpenApiValidator(definitions).Validate(new JsonObject { ["child"] = new JsonObject() }, "root")
            .ShouldBe(["$.child: unresolved $ref #/definitions/missing"]);
    }

    [Fact]
    public void The_vendored_schemas_are_closed_under_their_references()
    {
        foreach (var file in new[] { "kubevirt-v1.9.0-virtualmachine.json", "kubernetes-1.36-persistentvolumeclaim.json" })
        {
            var document = JsonNode.Parse(File.ReadAllText(Path.Combine(Folder, file)))!;
            var defined = document["definitions"]!.AsObject().Select(pair => pair.Key).ToHashSet();
            var references = Refs(document["definitions"]).Select(reference => reference["#/definitions/".Length..]).ToHashSet();
            references.Except(defined).ShouldBeEmpty(file);
            references.Count.ShouldBeGreaterThan(10, file);
        }
    }

    private static IEnumerable<string> Refs(JsonNode? node) => node switch
    {
        JsonObject map => map.SelectMany(pair => pair.Key == "$ref" ? [pair.Value!.GetValue<string>()] : Refs(pair.Value)),
        JsonArray list => list.SelectMany(Refs),
        _ => [],
    };

    private static string ReplaceFirst(string text, string old, string replacement)
    {
        var at = text.IndexOf(old, StringComparison.Ordinal);
        return text[..at] + replacement + text[(at + old.Length)..];
    }
}
