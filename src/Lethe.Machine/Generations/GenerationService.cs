using Lethe.Core;
using Lethe.Machine.Workstation;

namespace Lethe.Machine.Generations;

/// <summary>One row of <c>lethe generations</c>: a generation, and whether it is the one the next boot uses and the one booted.</summary>
public sealed record GenerationView(Generation Generation, bool Current, bool Booted);

/// <summary>A machine's generations as <c>lethe generations</c> shows them, and why a reboot is waiting.</summary>
public sealed record GenerationListing(string Machine, IReadOnlyList<GenerationView> Generations, IReadOnlyList<string> RebootTriggers, int? Pinned);

/// <summary>The outcome of <c>lethe rollback</c>: the generation pinned, and the reboot's timeline when the machine was running.</summary>
public sealed record RollbackResult(int Generation, string? RebootTimeline);

/// <summary><c>lethe generations</c> and <c>lethe rollback</c>, over a machine's <see cref="GenerationStore"/>.</summary>
public sealed class GenerationService(MachineFolder folder)
{
    private readonly GenerationStore store = new(folder);

    /// <summary>What waits for the next boot, as one line: the newest generation when it is not the booted one, and
    /// why it needs a reboot (kernel, initramfs). Null when the booted generation is the newest.</summary>
    public string? Waiting(bool kernelOnly = false)
    {
        var history = store.Read();
        if (history.Next is not { } newest || history.Booted is not { } booted || booted == newest.Number)
            return null;
        var triggers = history.RebootTriggers();
        if (triggers.Count > 0)
            return $"a reboot is waiting: generation {newest.Number} ({string.Join(", ", triggers)}); lethe reboot {folder.Name} applies it";
        return kernelOnly ? null : $"generation {newest.Number} is staged (userland only): the next boot takes it";
    }

    public GenerationListing List()
    {
        var history = store.Read();
        var current = history.Next?.Number;
        return new GenerationListing(folder.Name,
            [.. history.Generations.Select(generation => new GenerationView(generation, generation.Number == current, generation.Number == history.Booted))],
            history.RebootTriggers(), history.Pinned);
    }

    /// <summary>Pins <paramref name="number"/> (default: the newest good generation before the booted one), then reboots
    /// a running machine into it. A stopped machine boots it at its next up.</summary>
    public async Task<RollbackResult> RollbackAsync(int? number, CancellationToken stop)
    {
        var history = store.Read();
        var target = number is { } wanted
            ? history.Find(wanted) ?? throw new UsageException($"{folder.Name} has no generation {wanted} (lethe generations {folder.Name} lists them)")
            : history.Generations.LastOrDefault(g => g.Number < (history.Booted ?? int.MaxValue) && g.State == GenerationState.Good)
                ?? throw new UsageException($"{folder.Name} has no good generation before generation {history.Booted}");
        store.Change(generations => generations.Pin(target.Number));
        if (!folder.IsRunning())
            return new RollbackResult(target.Number, null);
        return new RollbackResult(target.Number, await MachineClient.RebootAsync(folder, stop).ConfigureAwait(false));
    }
}
