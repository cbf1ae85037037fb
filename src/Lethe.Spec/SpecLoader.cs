using Lethe.Spec.Reading;

namespace Lethe.Spec;

/// <summary>Turns lethe.yaml text into a validated <see cref="MachineSpec"/>, reporting every problem at once.</summary>
public static class SpecLoader
{
    public const string DefaultFileLabel = "<default>";

    /// <param name="allowOutsideSpecFolder">Only ever from the command line: lets image.files and workspace.path
    /// leave the spec's folder (<see cref="SpecFolderConfinement"/>).</param>
    public static SpecResult Load(string path, bool allowOutsideSpecFolder = false)
    {
        if (Directory.Exists(path))
            return Unreadable(path, "is a folder, not a file");

        string yaml;
        try
        {
            yaml = File.ReadAllText(path);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return Unreadable(path, "no such file");
        }
        catch (UnauthorizedAccessException)
        {
            return Unreadable(path, "permission denied");
        }
        catch (Exception e) when (e is IOException or ArgumentException or NotSupportedException)
        {
            return Unreadable(path, e.Message);
        }

        return Parse(yaml, path, allowOutsideSpecFolder);
    }

    /// <param name="path">Shown in messages and used to resolve relative file sources; null means the embedded default.</param>
    public static SpecResult Parse(string yaml, string? path, bool allowOutsideSpecFolder = false) =>
        SpecReader.Read(yaml, path, allowOutsideSpecFolder);

    /// <summary>The spec used when a project has no lethe.yaml.</summary>
    public static MachineSpec Default()
    {
        var result = Parse(ReadResource("Lethe.Spec.default.yaml"), null);
        return result.Spec
            ?? throw new InvalidOperationException("The embedded default spec is invalid: " + string.Join("; ", result.Errors));
    }

    /// <summary>The commented spec <c>lethe init</c> writes: every field at its default.</summary>
    public static string StarterText() => ReadResource("Lethe.Spec.starter.yaml");

    private static SpecResult Unreadable(string path, string reason) =>
        SpecResult.Failure([new SpecError(path, 0, 0, $"cannot read spec: {reason}")]);

    private static string ReadResource(string name)
    {
        using var stream = typeof(SpecLoader).Assembly.GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"Missing embedded resource {name}.");
        using var text = new StreamReader(stream);
        return text.ReadToEnd();
    }
}
