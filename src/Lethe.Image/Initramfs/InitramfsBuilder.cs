using Lethe.Core;
using Lethe.Image.Cpio;
using Lethe.Protocol.Modules;

namespace Lethe.Image.Initramfs;

/// <summary>
/// Writes the cached initramfs (uncompressed newc cpio): the guest init with the host libraries it links
/// against, the module table and the modules from the image's own kernel. Per-run data is appended later.
/// </summary>
public static class InitramfsBuilder
{
    public static async Task BuildAsync(
        string guestInitBinary, ModuleTable modules, string moduleFolder, string kernelRelease, string output, CancellationToken cancellationToken)
    {
        var libraries = await SharedLibrariesAsync(guestInitBinary, cancellationToken).ConfigureAwait(false);
        var plan = InitramfsLayout.Plan(new InitramfsInputs(guestInitBinary, libraries, modules, moduleFolder, kernelRelease));
        await using var stream = new FileStream(output, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16);
        var writer = new CpioWriter(stream);
        foreach (var entry in plan)
            writer.Add(entry);
        writer.Finish();
    }

    public static async Task<IReadOnlyList<string>> SharedLibrariesAsync(string program, CancellationToken cancellationToken)
    {
        if (!File.Exists(program))
            throw new LetheException($"guest init binary not found: {program}");
        var result = await new HostCommand("ldd").WithArguments(program).ExecuteAsync(cancellationToken).ConfigureAwait(false);
        if (result.ExitCode != 0)
        {
            if ((result.Stdout + result.Stderr).Contains("not a dynamic executable", StringComparison.Ordinal))
                return [];
            throw new ToolFailedException("ldd", result.ExitCode, result.Stderr);
        }
        try
        {
            return LddOutput.Parse(result.Stdout);
        }
        catch (InvalidDataException e)
        {
            throw new LetheException($"{program}: {e.Message}");
        }
    }
}
