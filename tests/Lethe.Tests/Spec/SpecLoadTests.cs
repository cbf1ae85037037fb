using Lethe.Spec;

namespace Lethe.Tests.Spec;

public sealed class SpecLoadTests
{
    [Fact]
    public void Loads_a_file_and_records_its_full_path()
    {
        using var folder = new TempFolder();
        var path = folder.Write("lethe.yaml", "name: from-file\n");

        var result = SpecLoader.Load(path);

        result.Ok.ShouldBeTrue();
        result.Spec!.Name.ShouldBe("from-file");
        result.Spec.SourcePath.ShouldBe(path);
    }

    [Fact]
    public void Errors_carry_the_path_as_given()
    {
        using var folder = new TempFolder();
        var path = folder.Write("lethe.yaml", "\ncpus: 2\n");

        SpecLoader.Load(path).Errors.Single().ToString()
            .ShouldBe($"{path}:2:1: unknown key 'cpus' at top level");
    }

    [Fact]
    public void Missing_file_is_an_error_not_an_exception()
    {
        using var folder = new TempFolder();
        var path = Path.Combine(folder.Path, "absent.yaml");

        var result = SpecLoader.Load(path);

        result.Spec.ShouldBeNull();
        result.Errors.ShouldBe([new SpecError(path, 0, 0, "cannot read spec: no such file")]);
    }

    [Fact]
    public void Missing_folder_is_an_error_too()
    {
        using var folder = new TempFolder();

        SpecLoader.Load(Path.Combine(folder.Path, "no", "lethe.yaml")).Errors.Single().Message
            .ShouldBe("cannot read spec: no such file");
    }

    [Fact]
    public void Folder_is_an_error()
    {
        using var folder = new TempFolder();

        SpecLoader.Load(folder.Path).Errors.ShouldBe([new SpecError(folder.Path, 0, 0, "cannot read spec: is a folder, not a file")]);
    }
}
