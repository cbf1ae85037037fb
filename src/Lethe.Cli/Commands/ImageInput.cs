using Lethe.Cli.Host;
using Lethe.Core;
using Lethe.Image;
using Lethe.Spec;

namespace Lethe.Cli.Commands;

/// <summary>Gets the image for a spec, from the cache or by building it, showing progress on stderr.</summary>
public static class ImageInput
{
    public static async Task<ImageSet> GetAsync(MachineSpec spec, CliConsole console, bool debug, CancellationToken stop)
    {
        HostTools.Require("build");
        var builder = new ImageBuilder(LethePaths.FromEnvironment(), Progress(console, debug));
        return await builder.BuildAsync(new ImageBuildRequest(spec, GuestInit.Locate()), stop).ConfigureAwait(false);
    }

    public static IProgress<BuildProgress> Progress(CliConsole console, bool debug)
    {
        string? lastPhase = null;
        return new SynchronousProgress<BuildProgress>(p =>
        {
            if (p.Phase != lastPhase)
            {
                console.Error.WriteLine($"lethe: {p.Phase}");
                lastPhase = p.Phase;
            }
            if (debug && p.Detail is { } detail)
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
