using System.Security.Cryptography;
using System.Text.Json;

namespace Lethe.Tests.Integration;

/// <summary>lethe audit on real images, and build refusing an image with a secret in it.</summary>
[Collection(MachineCollection.Name)]
public sealed class AuditTests(TestImage image)
{
    private const int BuildTimeout = 1_500_000;

    [Fact(Timeout = BuildTimeout)]
    public async Task The_embedded_default_image_has_no_finding_and_gets_an_sbom()
    {
        var empty = Directory.CreateTempSubdirectory("lethe-audit-default-").FullName;
        try
        {
            var result = await LetheProcess.RunAsync(["audit", "--json"], workingDirectory: empty, timeout: TimeSpan.FromMinutes(24));
            result.ExitCode.ShouldBe(0, result.ToString());
            using var json = JsonDocument.Parse(result.Stdout);
            json.RootElement.GetProperty("findings").GetArrayLength().ShouldBe(0, result.ToString());
            AssertSbomLists(json.RootElement.GetProperty("sbom").GetString()!, "bash", "linux-image-amd64");
        }
        finally
        {
            Directory.Delete(empty, true);
        }
    }

    [Fact(Timeout = 600_000)]
    public async Task The_test_image_is_clean_and_its_sbom_lists_the_spec_packages()
    {
        var result = await LetheProcess.RunAsync(["audit", "--spec", image.FastSpec], timeout: TimeSpan.FromMinutes(9));
        result.ExitCode.ShouldBe(0, result.ToString());
        result.Stdout.ShouldBeEmpty();
        result.Stderr.ShouldContain("no secrets found");
        var sbom = result.Stderr.Split('\n').Single(line => line.StartsWith("lethe: SBOM (SPDX 2.3 JSON): ", StringComparison.Ordinal))["lethe: SBOM (SPDX 2.3 JSON): ".Length..];
        AssertSbomLists(sbom, "curl", "gpg");
    }

    [Fact(Timeout = 60_000)]
    public async Task A_secret_in_env_is_a_spec_error_that_points_to_send_env_and_never_shows_the_value()
    {
        var token = "glpat-" + RandomNumberGenerator.GetString("abcdefghijklmnopqrstuvwxyz0123456789", 24);
        var spec = Path.Combine(image.Folder, "audit-env.yaml");
        await File.WriteAllTextAsync(spec, $"name: audit-env\nenv:\n  EDITOR: vim\n  GL: {token}\n", TestContext.Current.CancellationToken);
        var result = await LetheProcess.RunAsync(["audit", "--spec", spec]);
        result.ExitCode.ShouldBe(2, result.ToString());
        result.Stderr.ShouldContain("env.GL: this value looks like a secret (gitlab-token)");
        result.Stderr.ShouldContain("ssh.send_env");
        (result.Stdout + result.Stderr).ShouldNotContain(token[6..]);
    }

    [Fact(Timeout = BuildTimeout)]
    public async Task A_secret_in_an_image_file_is_found_and_build_refuses_the_image_unless_allowed_or_ignored_with_a_reason()
    {
        var folder = Directory.CreateDirectory(Path.Combine(image.Folder, "audit-secret")).FullName;
        var key = ECDsa.Create(ECCurve.NamedCurves.nistP256).ExportECPrivateKeyPem();
        await File.WriteAllTextAsync(Path.Combine(folder, "deploy.pem"), "# a deploy key\n" + key + "\n", TestContext.Current.CancellationToken);
        var spec = Path.Combine(folder, "lethe.yaml");
        await File.WriteAllTextAsync(spec, "name: audit-secret\nimage:\n  files:\n    - {src: ./deploy.pem, dst: /etc/deploy/key.pem, mode: \"0600\"}\n",
            TestContext.Current.CancellationToken);

        var build = await LetheProcess.RunAsync(["build", "--spec", spec], timeout: TimeSpan.FromMinutes(24));
        build.ExitCode.ShouldBe(1, build.ToString());
        build.Stderr.ShouldContain("image:/etc/deploy/key.pem:2: private-key");
        build.Stderr.ShouldContain("--allow-secrets");
        var keyBody = key.Split('\n')[1];
        (build.Stdout + build.Stderr).ShouldNotContain(keyBody[..20]);

        var audit = await LetheProcess.RunAsync(["audit", "--spec", spec]);
        audit.ExitCode.ShouldBe(1, audit.ToString());
        audit.Stdout.ShouldBe("deploy.pem:2: private-key (EC PRIVATE KEY)\nimage:/etc/deploy/key.pem:2: private-key (EC PRIVATE KEY)\n", audit.ToString());

        var run = await LetheProcess.RunAsync(["run", "--spec", spec, "--", "true"]);
        run.ExitCode.ShouldBe(1, run.ToString());
        run.Stderr.ShouldContain("image:/etc/deploy/key.pem:2: private-key");

        var allowed = await LetheProcess.RunAsync(["build", "--spec", spec, "--allow-secrets"]);
        allowed.ExitCode.ShouldBe(0, allowed.ToString());

        var ignore = Path.Combine(folder, "lethe.audit-ignore");
        await File.WriteAllTextAsync(ignore, "deploy.pem\n", TestContext.Current.CancellationToken);
        var noReason = await LetheProcess.RunAsync(["audit", "--spec", spec]);
        noReason.ExitCode.ShouldBe(2, noReason.ToString());
        noReason.Stderr.ShouldContain($"{ignore}:1: an ignore entry needs a reason");

        await File.WriteAllTextAsync(ignore, "deploy.pem # a made-up key for this test\nimage:/etc/deploy/key.pem:private-key # the same key\n",
            TestContext.Current.CancellationToken);
        var ignored = await LetheProcess.RunAsync(["audit", "--spec", spec, "--json"]);
        ignored.ExitCode.ShouldBe(0, ignored.ToString());
        using var json = JsonDocument.Parse(ignored.Stdout);
        json.RootElement.GetProperty("ignored").GetArrayLength().ShouldBe(2);
        (await LetheProcess.RunAsync(["build", "--spec", spec])).ExitCode.ShouldBe(0);
    }

    private static void AssertSbomLists(string path, params string[] packages)
    {
        using var sbom = JsonDocument.Parse(File.ReadAllText(path));
        sbom.RootElement.GetProperty("spdxVersion").GetString().ShouldBe("SPDX-2.3");
        var names = sbom.RootElement.GetProperty("packages").EnumerateArray().Select(p => p.GetProperty("name").GetString()).ToList();
        foreach (var package in packages)
            names.ShouldContain(package);
    }
}
