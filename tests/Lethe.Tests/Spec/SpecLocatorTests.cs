using Lethe.Spec;

namespace Lethe.Tests.Spec;

public sealed class SpecLocatorTests : IDisposable
{
    private readonly TempFolder folder = new();

    public void Dispose() => folder.Dispose();

    [Fact]
    public void Explicit_option_wins_even_when_lethe_yaml_exists()
    {
        folder.Write("lethe.yaml", "");

        SpecLocator.Locate("other.yaml", folder.Path).ShouldBe(Path.Combine(folder.Path, "other.yaml"));
    }

    [Fact]
    public void Explicit_absolute_option_is_kept_even_if_missing() =>
        SpecLocator.Locate("/nowhere/spec.yaml", folder.Path).ShouldBe("/nowhere/spec.yaml");

    [Fact]
    public void Lethe_yaml_in_the_current_folder_is_used()
    {
        var path = folder.Write("lethe.yaml", "");

        SpecLocator.Locate(null, folder.Path).ShouldBe(path);
    }

    [Fact]
    public void No_option_and_no_lethe_yaml_means_the_embedded_default() =>
        SpecLocator.Locate(null, folder.Path).ShouldBeNull();
}
