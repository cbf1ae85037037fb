using System.Text.Json;

namespace Lethe.Tests.Integration;

[Collection(MachineCollection.Name)]
public sealed class BuildTests(TestImage image)
{
    [Fact(Timeout = 120_000)]
    public async Task An_unchanged_spec_is_not_rebuilt_and_json_names_the_digest_and_packages()
    {
        var result = await LetheProcess.RunAsync(["build", "--spec", image.FastSpec, "--json"]);
        result.ExitCode.ShouldBe(0, result.ToString());
        using var json = JsonDocument.Parse(result.Stdout);
        json.RootElement.GetProperty("fromCache").GetBoolean().ShouldBeTrue();
        json.RootElement.GetProperty("digest").GetString().ShouldNotBeNullOrEmpty();
        json.RootElement.GetProperty("packages").EnumerateArray().Select(p => p.GetString()).ShouldContain(p => p!.StartsWith("linux-image-amd64=", StringComparison.Ordinal));
    }

    [Fact(Timeout = 120_000)]
    public async Task What_cannot_change_the_image_reuses_it()
    {
        var fast = await LetheProcess.RunAsync(["build", "--spec", image.FastSpec, "--json"]);
        var systemd = await LetheProcess.RunAsync(["build", "--spec", image.SystemdSpec, "--json"]);
        using var a = JsonDocument.Parse(fast.Stdout);
        using var b = JsonDocument.Parse(systemd.Stdout);
        b.RootElement.GetProperty("digest").GetString().ShouldBe(a.RootElement.GetProperty("digest").GetString());
        b.RootElement.GetProperty("fromCache").GetBoolean().ShouldBeTrue();
    }

    [Fact(Timeout = 1_200_000)]
    public async Task A_clean_rebuild_is_byte_identical()
    {
        var result = await LetheProcess.RunAsync(["build", "--spec", image.FastSpec, "--check"], timeout: TimeSpan.FromMinutes(20));
        result.ExitCode.ShouldBe(0, result.ToString());
        result.Stdout.ShouldContain("byte-identical");
    }
}
