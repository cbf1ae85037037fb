using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Lethe.Core;
using Lethe.Image;
using Lethe.Image.Cache;
using Lethe.Machine.Run;
using Lethe.Machine.Workstation;
using Lethe.Spec;

namespace Lethe.Machine.Generations;

/// <summary>
/// A machine's generations on disk: <c>generations.json</c> in its private folder, replaced whole (a new file written
/// exclusively, then renamed), so a crash leaves the old list or the new one, never half of one.
/// </summary>
public sealed class GenerationStore(MachineFolder folder)
{
    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    public string FilePath => Path.Combine(folder.Path, "generations.json");

    /// <summary>Where each generation keeps the spec it boots with (its own, not the one the machine has now).</summary>
    public string SpecFolder => Path.Combine(folder.Path, "generations");

    public string SpecFile(int number) => Path.Combine(SpecFolder, $"{number}.spec.json");

    /// <summary>Records <paramref name="candidate"/> (a new number only when something changed) with the spec it boots
    /// with, and returns the history as written.</summary>
    public (GenerationHistory History, Generation Generation, bool New) Stage(GenerationCandidate candidate, MachineSpec spec, DateTimeOffset now)
    {
        using var exclusive = Lock();
        var before = Read();
        var (history, generation) = before.Record(candidate, now);
        var isNew = !ReferenceEquals(history, before);
        if (isNew)
        {
            PrivateFolder.Ensure(SpecFolder);
            WholeFile.Replace(SpecFile(generation.Number), stream => JsonSerializer.Serialize(stream, spec, Json));
            Write(history);
        }
        return (history, generation, isNew);
    }

    /// <summary>The spec <paramref name="generation"/> boots with.</summary>
    public MachineSpec LoadSpec(Generation generation)
    {
        var file = SpecFile(generation.Number);
        if (PosixFiles.LStat(file) is not { IsRegularFile: true })
            throw new LetheException($"generation {generation.Number} of {folder.Name} has lost its spec ({file})");
        try
        {
            using var handle = PosixFiles.OpenNoFollow(file, write: false);
            using var stream = new FileStream(handle, FileAccess.Read);
            var spec = JsonSerializer.Deserialize<MachineSpec>(stream, Json) ?? throw new JsonException("empty");
            return SpecDigest(spec) == generation.SpecDigest ? spec
                : throw new LetheException($"generation {generation.Number}'s spec ({file}) was changed after it was staged");
        }
        catch (JsonException e)
        {
            throw new LetheException($"generation {generation.Number}'s spec ({file}) is damaged: {e.Message}");
        }
    }

    /// <summary>Applies <paramref name="change"/> to the history as it is on disk now, under the store's lock (lethe update
    /// and the supervisor may both be at it), then collects all but the <paramref name="keep"/> newest generations (and the
    /// booted and pinned ones), with their specs, when it is given.</summary>
    public GenerationHistory Change(Func<GenerationHistory, GenerationHistory> change, int? keep = null)
    {
        using var exclusive = Lock();
        var history = change(Read());
        IReadOnlyList<Generation> collected = [];
        if (keep is { } count)
            (history, collected) = history.Collect(count);
        Write(history);
        foreach (var generation in collected)
            File.Delete(SpecFile(generation.Number));
        return history;
    }

    /// <summary>An flock on <c>generations.lock</c>: it dies with its holder, so a killed lethe never leaves it taken.</summary>
    private FileStream Lock()
    {
        folder.Create();
        var path = Path.Combine(folder.Path, "generations.lock");
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(1);
        while (true)
        {
            try
            {
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException) when (DateTime.UtcNow < deadline)
            {
                Thread.Sleep(50);
            }
        }
    }

    public static string SpecDigest(MachineSpec spec) => Convert.ToHexStringLower(SHA256.HashData(JsonSerializer.SerializeToUtf8Bytes(spec, Json)));

    public GenerationHistory Read()
    {
        var facts = PosixFiles.LStat(FilePath);
        if (facts is null)
            return GenerationHistory.Empty;
        if (!facts.IsRegularFile)
            throw new LetheException($"{FilePath} is not a regular file (a link?); lethe does not read it: move it away");
        try
        {
            using var file = PosixFiles.OpenNoFollow(FilePath, write: false);
            using var stream = new FileStream(file, FileAccess.Read);
            return JsonSerializer.Deserialize<GenerationHistory>(stream, Json) ?? GenerationHistory.Empty;
        }
        catch (JsonException e)
        {
            throw new LetheException($"{FilePath} is damaged ({e.Message}); move it away to start the machine's generations anew");
        }
    }

    private void Write(GenerationHistory history)
    {
        folder.Create();
        WholeFile.Replace(FilePath, stream => JsonSerializer.Serialize(stream, history, Json));
    }

    /// <summary>What a boot request's image and spec make, from the image's manifest (the hashes its build wrote).</summary>
    public static GenerationCandidate CandidateFor(MachineSpec spec, ImageSet image, string? sourceRevision = null)
    {
        var hashes = ImageSetFolder.FileHashes(image.Directory);
        var packages = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join('\n', image.Packages))));
        return new GenerationCandidate(image.Digest, hashes.GetValueOrDefault(ImageFiles.Kernel, ""), hashes.GetValueOrDefault(ImageFiles.Initramfs, ""),
            image.KernelVersion, SpecDigest(spec), packages, sourceRevision);
    }
}
