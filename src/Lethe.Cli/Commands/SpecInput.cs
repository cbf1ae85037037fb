using System.CommandLine;
using Lethe.Core;
using Lethe.Spec;

namespace Lethe.Cli.Commands;

/// <summary>The --spec option and the loading every spec-reading command shares.</summary>
public static class SpecInput
{
    public static Option<string?> CreateOption() => new("--spec")
    {
        Description = "The spec file (default: ./lethe.yaml, else the embedded default)",
    };

    /// <summary>The caller's override of the spec-folder rule (<see cref="SpecFolderConfinement"/>): only ever on the command line.</summary>
    public static Option<bool> CreateAllowOutsideOption() => new(SpecFolderConfinement.OverrideFlag)
    {
        Description = "Let the spec's image.files and workspace.path reach outside the spec's folder (a spec cannot allow this itself)",
    };

    /// <summary>Loads the spec; on errors prints every one as FILE:LINE:COL: message and fails with exit 2.</summary>
    public static MachineSpec Load(string? specOption, CliConsole console, bool allowOutsideSpecFolder = false)
    {
        var path = SpecLocator.Locate(specOption, console.CurrentDirectory);
        if (path is null)
            return SpecLoader.Default();
        var result = SpecLoader.Load(path, allowOutsideSpecFolder);
        if (result.Ok)
            return result.Spec!;
        foreach (var error in result.Errors)
            console.Error.WriteLine(error.ToString());
        throw new SpecInvalidException(result.Errors.Count, path);
    }
}

/// <summary>The spec's errors are already printed, one per line; only the exit status remains.</summary>
public sealed class SpecInvalidException(int count, string path)
    : LetheException($"{count} error{(count == 1 ? "" : "s")} in {path}", ExitCodes.Usage);
