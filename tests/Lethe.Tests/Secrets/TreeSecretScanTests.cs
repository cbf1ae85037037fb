using Lethe.Machine.Audit;
using Lethe.Spec.Secrets;

namespace Lethe.Tests.Secrets;

public sealed class TreeSecretScanTests : IDisposable
{
    private readonly string root = Directory.CreateTempSubdirectory("lethe-treescan-").FullName;

    [Fact]
    public void Finds_a_secret_in_a_nested_file_named_by_its_path_inside()
    {
        Directory.CreateDirectory(Path.Combine(root, "home/dev"));
        File.WriteAllText(Path.Combine(root, "home/dev/.netrc"), "machine example.com login me password " + SecretCorpus.Random(16) + "\n");
        var finding = TreeSecretScan.ScanTree(root, "image:", TestContext.Current.CancellationToken).ShouldHaveSingleItem();
        finding.ShouldBe(finding with { Path = "image:/home/dev/.netrc", Line = 1, Rule = SecretRules.Netrc });
    }

    [Fact]
    public void Skips_binaries_and_never_follows_links()
    {
        var token = "glpat-" + SecretCorpus.Random(24);
        File.WriteAllBytes(Path.Combine(root, "program"), [0x7f, (byte)'E', (byte)'L', (byte)'F', 0, .. System.Text.Encoding.ASCII.GetBytes(token)]);
        var outside = Directory.CreateTempSubdirectory("lethe-treescan-outside-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(outside, "token"), token + "\n");
            File.CreateSymbolicLink(Path.Combine(root, "link-to-file"), Path.Combine(outside, "token"));
            Directory.CreateSymbolicLink(Path.Combine(root, "link-to-folder"), outside);
            TreeSecretScan.ScanTree(root, "image:", TestContext.Current.CancellationToken).ShouldBeEmpty();
        }
        finally
        {
            Directory.Delete(outside, true);
        }
    }

    public void Dispose() => Directory.Delete(root, true);
}
