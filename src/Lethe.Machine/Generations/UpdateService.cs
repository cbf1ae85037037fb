using Lethe.Core;
using Lethe.Image;
using Lethe.Machine.SignedChannel;
using Lethe.Machine.Workstation;
using Lethe.Spec;

namespace Lethe.Machine.Generations;

/// <summary>What lethe update did.</summary>
/// <param name="Staged">True when the source gave a new generation; false when the newest one is still current.</param>
/// <param name="Booted">The generation the running (or last) boot used.</param>
/// <param name="RebootTriggers">Why the newest generation needs a reboot the user asks for (kernel, initramfs); empty for userland only.</param>
/// <param name="Next">The generation the next boot uses (not a bad one, nor past a rollback's pin).</param>
public sealed record UpdateOutcome(string Machine, string Source, Generation Newest, bool Staged, int? Booted, int? Next, bool Running, IReadOnlyList<string> RebootTriggers)
{
    /// <summary>The next boot's generation is not the one running: the next boot takes it.</summary>
    public bool Waiting => Running && Booted != Next;
}

/// <summary>How lethe update reads a source's spec and gets its image (built, with the command line's progress).</summary>
/// <param name="LoadSpec">Reads a source's spec file (a bad one is a spec error, exit 2).</param>
/// <param name="GetImage">The image of a spec, from the cache or built.</param>
public sealed record UpdateBuilds(Func<string, MachineSpec> LoadSpec, Func<MachineSpec, CancellationToken, Task<ImageSet>> GetImage);

/// <summary>
/// lethe update: fetches the source a workstation follows, builds (path, git) or downloads and verifies (channel) its
/// generation, and stages it. Nothing is rebooted: the next boot takes the newest generation, and a running machine
/// says what waits for it.
/// </summary>
public sealed class UpdateService(LethePaths paths, MachineFolder folder, TimeProvider clock, UpdateBuilds builds, Action<string>? progress = null)
{
    private readonly GenerationStore store = new(folder);
    private readonly GitSource git = new(folder);

    public async Task<UpdateOutcome> UpdateAsync(MachineSpec machine, CancellationToken stop)
    {
        var update = machine.Update ?? throw new UsageException(
            $"{folder.Name}'s spec follows no source: add update: {{source: ./path | git URL | channel URL}} (lethe up rebuilds it from its spec at every boot)");
        folder.Create();
        var newest = store.Read().Newest;
        (GenerationHistory History, Generation Generation, bool New) staged;
        switch (update.Kind)
        {
            case UpdateSourceKind.Channel:
                staged = await StageChannelAsync(machine, update, stop).ConfigureAwait(false);
                break;
            case UpdateSourceKind.Git:
                var remote = await git.RemoteRevisionAsync(update, stop).ConfigureAwait(false);
                if (newest?.SourceRevision == remote && PosixFiles.LStat(Path.Combine(git.SourcesFolder, remote)) is { IsDirectory: true })
                {
                    progress?.Invoke($"{update} is still at {remote[..12]}");
                    staged = (store.Read(), newest, false);
                    break;
                }
                progress?.Invoke($"fetching {update}");
                var checkout = await git.CheckoutAsync(update, stop).ConfigureAwait(false);
                staged = await StageSpecAsync(checkout.SpecPath, checkout.Revision, stop).ConfigureAwait(false);
                break;
            default:
                var revision = await SourceRevision.ReadAsync(Path.GetDirectoryName(update.Location)!, stop).ConfigureAwait(false);
                staged = await StageSpecAsync(update.Location, revision, stop).ConfigureAwait(false);
                break;
        }
        var kept = store.Change(history => history, update.Keep);
        if (update.Kind == UpdateSourceKind.Git)
            git.Collect(kept.Generations.Select(generation => generation.SourceRevision));
        return new UpdateOutcome(folder.Name, update.ToString(), kept.Newest ?? staged.Generation, staged.New, kept.Booted, kept.Next?.Number, folder.IsRunning(),
            kept.RebootTriggers());
    }

    private async Task<(GenerationHistory, Generation, bool)> StageSpecAsync(string specPath, string? revision, CancellationToken stop)
    {
        var spec = builds.LoadSpec(specPath);
        var image = await builds.GetImage(spec, stop).ConfigureAwait(false);
        return store.Stage(GenerationStore.CandidateFor(spec, image, revision), spec, clock.GetUtcNow());
    }

    /// <summary>A channel's generation boots with the machine's own spec (its policy, allowlist and user) and the
    /// channel's image. The last accepted position is kept only once the generation is staged.</summary>
    private async Task<(GenerationHistory, Generation, bool)> StageChannelAsync(MachineSpec machine, UpdateSpec update, CancellationToken stop)
    {
        var positions = new ChannelPositionFile(folder);
        var location = ChannelLocation.Parse(update.Location, Path.GetDirectoryName(machine.SourcePath) ?? folder.Path);
        var signers = AllowedSigners.FromFile(update.Signers ?? throw new UsageException($"{folder.Name}: a channel source needs update.signers"));
        var fetched = await new ChannelClient(paths, clock, progress).FetchAsync(new ChannelRequest(location, signers, positions.Read()), stop).ConfigureAwait(false);
        var generation = fetched.Manifest.Generation;
        var revision = $"v{fetched.Manifest.Version}" + (generation.SourceRevision is { } commit ? $" {commit[..Math.Min(12, commit.Length)]}" : "");
        var machineSpec = machine with { Update = null };
        var staged = store.Stage(GenerationStore.CandidateFor(machineSpec, fetched.Image, revision), machineSpec, clock.GetUtcNow());
        positions.Write(fetched.Position);
        return staged;
    }
}
