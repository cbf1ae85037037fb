namespace Lethe.Machine.Generations;

/// <summary>Why a boot uses the generation it uses, for the one line lethe prints.</summary>
public sealed record BootChoice(Generation Generation, string? Note);

/// <summary>
/// Pure: a machine's generations and the decisions about them. Which one a boot uses (the newest that is not bad,
/// unless the user rolled back), which one to fall back to when a boot fails, whether a staged one needs a reboot
/// and why, and which ones to collect.
/// </summary>
/// <param name="Booted">The generation the running (or last) boot used.</param>
/// <param name="Pinned">Set by a rollback: booted instead of the newest until a newer generation is recorded.</param>
public sealed record GenerationHistory(IReadOnlyList<Generation> Generations, int? Booted = null, int? Pinned = null)
{
    public const int DefaultKeep = 3;

    public static GenerationHistory Empty { get; } = new([]);

    public Generation? Newest => Generations.Count == 0 ? null : Generations[^1];

    public Generation? Find(int number) => Generations.FirstOrDefault(generation => generation.Number == number);

    /// <summary>The candidate as a generation: the newest one when nothing changed, else a new one, numbered after the
    /// highest ever given (a collected number is never given again). A new generation clears a rollback's pin.</summary>
    public (GenerationHistory History, Generation Generation) Record(GenerationCandidate candidate, DateTimeOffset now)
    {
        if (Newest is { } newest && Same(newest, candidate))
            return (this, newest);
        var generation = new Generation(NextNumber, candidate.ImageDigest, candidate.KernelDigest, candidate.InitramfsDigest, candidate.KernelRelease,
            candidate.SpecDigest, candidate.LockDigest, candidate.SourceRevision, now);
        return (this with { Generations = [.. Generations, generation], Pinned = null }, generation);
    }

    /// <summary>Highest number ever handed out, kept apart from the list so that collection never reuses one.</summary>
    public int HighestNumber { get; init; }

    private int NextNumber => Math.Max(HighestNumber, Generations.Count == 0 ? 0 : Generations.Max(g => g.Number)) + 1;

    private static bool Same(Generation generation, GenerationCandidate candidate) =>
        generation.ImageDigest == candidate.ImageDigest && generation.SpecDigest == candidate.SpecDigest && generation.LockDigest == candidate.LockDigest;

    /// <summary>What a boot uses: the pinned generation after a rollback; else the newest, unless it failed before,
    /// then the newest good one, saying so. Null: there is nothing good to boot (the caller boots the newest anyway).</summary>
    public BootChoice? ChooseBoot()
    {
        if (Pinned is { } pinned && Find(pinned) is { } rolledBack)
            return new BootChoice(rolledBack, $"generation {pinned} (rolled back; generation {Newest!.Number} is newer)");
        if (Newest is not { } newest)
            return null;
        if (newest.State != GenerationState.Bad)
            return new BootChoice(newest, null);
        return NewestGood(except: newest.Number) is { } good
            ? new BootChoice(good, $"generation {newest.Number} failed to boot before ({newest.Failure}); booting generation {good.Number}")
            : null;
    }

    /// <summary>The generation the next boot uses (<see cref="ChooseBoot"/>; the newest when nothing good is left).</summary>
    public Generation? Next => ChooseBoot()?.Generation ?? Newest;

    /// <summary>After <paramref name="failed"/> did not reach ready: the newest good generation other than it.</summary>
    public Generation? FallbackAfter(int failed) => NewestGood(except: failed);

    private Generation? NewestGood(int except) =>
        Generations.LastOrDefault(generation => generation.Number != except && generation.State == GenerationState.Good);

    public GenerationHistory MarkGood(int number) =>
        Update(number, generation => generation with { State = GenerationState.Good, Failure = null }) with { Booted = number };

    /// <summary>The failure may quote the guest, so it is kept as one safe line (no terminal controls).</summary>
    public GenerationHistory MarkBad(int number, string failure) =>
        Update(number, generation => generation.State == GenerationState.Good ? generation
            : generation with { State = GenerationState.Bad, Failure = Lethe.Protocol.UntrustedText.ForLine(failure) });

    public GenerationHistory Pin(int number) =>
        Find(number) is null ? throw new ArgumentOutOfRangeException(nameof(number)) : this with { Pinned = number == Newest!.Number ? null : number };

    /// <summary>Why the next boot's generation waits for a reboot the user asks for: its kernel or initramfs differs from
    /// the booted one's (a bad generation is not the next one, so it waits for nothing). Empty: it changes only the userland (or nothing), and the next boot simply takes it.</summary>
    public IReadOnlyList<string> RebootTriggers()
    {
        if (Next is not { } newest || Booted is not { } booted || booted == newest.Number || Find(booted) is not { } running)
            return [];
        var triggers = new List<string>();
        if (running.KernelDigest != newest.KernelDigest)
            triggers.Add(running.KernelRelease == newest.KernelRelease ? $"kernel {newest.KernelRelease} rebuilt" : $"kernel {running.KernelRelease} → {newest.KernelRelease}");
        if (running.InitramfsDigest != newest.InitramfsDigest)
            triggers.Add("initramfs changed");
        return triggers;
    }

    /// <summary>Keeps the <paramref name="keep"/> newest generations, and always the booted and the pinned one.</summary>
    public (GenerationHistory History, IReadOnlyList<Generation> Collected) Collect(int keep = DefaultKeep)
    {
        var newest = Generations.OrderByDescending(generation => generation.Number).Take(Math.Max(1, keep)).Select(generation => generation.Number).ToHashSet();
        var kept = Generations.Where(generation => newest.Contains(generation.Number) || generation.Number == Booted || generation.Number == Pinned).ToList();
        var collected = Generations.Except(kept).ToList();
        return (this with { Generations = kept, HighestNumber = Math.Max(HighestNumber, Generations.Count == 0 ? 0 : Generations.Max(g => g.Number)) }, collected);
    }

    private GenerationHistory Update(int number, Func<Generation, Generation> change) =>
        this with { Generations = [.. Generations.Select(generation => generation.Number == number ? change(generation) : generation)] };
}
