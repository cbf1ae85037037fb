using Lethe.Core;
using Lethe.Image;
using Lethe.Image.Cache;
using Lethe.Machine.Run;
using Lethe.Machine.Workstation;
using Lethe.Spec;

namespace Lethe.Machine.Generations;

/// <summary>How a supervisor gets a machine's spec and turns a spec into a boot request.</summary>
public interface IMachineBootSource
{
    /// <summary>The spec the machine was started with, read again (a change takes effect at the next boot).</summary>
    MachineSpec LoadSpec();

    /// <summary>The boot request for <paramref name="spec"/>: with <paramref name="image"/> when the generation has one,
    /// else the spec's image, from the cache or built.</summary>
    BootRequest Prepare(MachineSpec spec, ImageSet? image);
}

/// <summary>A boot to try: the request, its generation, and the line to show about the choice (null: nothing to say).</summary>
public sealed record GenerationBoot(BootRequest Request, Generation Generation, string? Note);

/// <summary>
/// Which generation each boot of a workstation uses. A machine that follows no source records its spec's image as a
/// generation at every boot; one that follows a source (update: in its spec) boots what lethe update staged. Either
/// way the newest generation that is not bad boots, unless the user rolled back; a generation that never reached
/// ready and fails is marked bad, and the newest good one boots instead.
/// </summary>
public sealed class GenerationBoots(LethePaths paths, MachineFolder folder, IMachineBootSource source, TimeProvider clock)
{
    private readonly GenerationStore store = new(folder);
    private int _keep = UpdateSpec.DefaultKeep;
    private MachineSpec? _machine;

    public GenerationBoot Next()
    {
        var spec = _machine = source.LoadSpec();
        _keep = spec.Update?.Keep ?? UpdateSpec.DefaultKeep;
        BootRequest? fromSpec = null;
        if (spec.Update is null)
        {
            fromSpec = source.Prepare(spec, null);
            store.Stage(GenerationStore.CandidateFor(spec, fromSpec.Image), spec, clock.GetUtcNow());
        }
        var history = store.Read();
        var choice = history.ChooseBoot()
            ?? (history.Newest is { } newest ? new BootChoice(newest, null)
                : throw new LetheException($"{folder.Name} follows {spec.Update} but has no generation yet (lethe update {folder.Name} stages one)"));
        var generation = choice.Generation;
        var request = fromSpec is not null && generation.ImageDigest == fromSpec.Image.Digest && generation.SpecDigest == GenerationStore.SpecDigest(spec)
            ? fromSpec
            : RequestFor(generation);
        return new GenerationBoot(request, generation, choice.Note);
    }

    /// <summary>After <paramref name="failed"/> did not reach ready: marks it bad (unless it booted before) and returns
    /// the newest good generation's boot, or null when there is none to fall back to.</summary>
    public GenerationBoot? FallbackAfter(Generation failed, string error)
    {
        if (failed.State == GenerationState.Good)
            return null;
        var history = store.Change(generations => generations.MarkBad(failed.Number, error));
        return history.FallbackAfter(failed.Number) is { } fallback
            ? new GenerationBoot(RequestFor(fallback), fallback, $"generation {failed.Number} did not boot ({history.Find(failed.Number)!.Failure}); booting generation {fallback.Number}")
            : null;
    }

    /// <summary><paramref name="booted"/> reached ready: it is good and the booted one; old generations are collected.</summary>
    public void Reached(Generation booted) => store.Change(history => history.MarkGood(booted.Number), _keep);

    /// <summary>A generation boots with its own spec; one from a channel (which publishes images, not policy) with the
    /// machine's spec as it is now, so that an edit of the allowlist or the network policy takes effect at the next boot.</summary>
    private BootRequest RequestFor(Generation generation)
    {
        var image = new ImageCache(paths.Images).TryLoadImage(generation.ImageDigest)
            ?? throw new LetheException($"generation {generation.Number}'s image {generation.ImageDigest} is no longer in the image cache");
        return source.Prepare(_machine?.Update?.Kind == UpdateSourceKind.Channel ? _machine with { Update = null } : store.LoadSpec(generation), image);
    }
}
