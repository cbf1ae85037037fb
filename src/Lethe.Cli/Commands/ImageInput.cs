using Lethe.Cli.Host;
using Lethe.Core;
using Lethe.Image;
using Lethe.Machine.Audit;
using Lethe.Spec;

namespace Lethe.Cli.Commands;

/// <summary>Gets the image for a spec, from the cache or by building it, showing progress on stderr.</summary>
public static class ImageInput
{
    /// <param name="allowSecrets">--allow-secrets: skip the refusal of an image with a secret finding (exit 1).</param>
    public static async Task<ImageSet> GetAsync(MachineSpec spec, CliConsole console, bool debug, CancellationToken stop, bool allowSecrets = false)
    {
        HostTools.Require("build");
        var paths = LethePaths.FromEnvironment();
        var builder = new ImageBuilder(paths, Progress(console, debug));
        var image = await builder.BuildAsync(new ImageBuildRequest(spec, GuestInit.Locate()), stop).ConfigureAwait(false);
        if (!allowSecrets)
            await new SpecAudit(paths, line => console.Error.WriteLine($"lethe: {line}")).RefuseSecretsAsync(spec, image, stop).ConfigureAwait(false);
        return image;
    }

    private static readonly IReadOnlyDictionary<string, string> PhaseText = new Dictionary<string, string>
    {
        ["waiting"] = "waiting for another lethe that is building this image",
        ["mmdebstrap"] = "building the image: installing Debian packages (about a minute)",
        ["customize"] = "building the image: creating the user, copying files",
        ["rootfs"] = "building the image: root filesystem done",
        ["lock"] = "building the image: recording package versions",
        ["kernel"] = "building the image: extracting the kernel",
        ["modules"] = "building the image: resolving kernel modules",
        ["erofs"] = "building the image: packing the read-only root (erofs)",
        ["initramfs"] = "building the image: writing the initramfs",
        ["compare"] = "comparing the two builds",
        ["done"] = "image ready",
    };

    /// <summary>One line per phase on stderr; the details (mmdebstrap's own lines) only with --debug,
    /// except that a moved package lock is always worth a line.</summary>
    public static IProgress<BuildProgress> Progress(CliConsole console, bool debug)
    {
        string? lastPhase = null;
        return new SynchronousProgress<BuildProgress>(p =>
        {
            if (p.Phase != lastPhase)
            {
                console.Error.WriteLine($"lethe: {PhaseText.GetValueOrDefault(p.Phase, p.Phase)}");
                lastPhase = p.Phase;
            }
            if (p.Detail is { } detail && (debug || detail.Contains("moved", StringComparison.Ordinal)))
                console.Error.WriteLine($"  {detail}");
        });
    }

    /// <summary>Progress&lt;T&gt; posts to the thread pool and reorders lines; this reports in place.</summary>
    private sealed class SynchronousProgress<T>(Action<T> report) : IProgress<T>
    {
        private readonly Lock _lock = new();

        public void Report(T value)
        {
            lock (_lock)
                report(value);
        }
    }
}
