using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Lethe.Core;
using Lethe.Image;
using Lethe.Image.Cache;
using Lethe.Machine.Run;
using Lethe.Machine.Workstation;

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

    public GenerationHistory Read()
    {
        if (PosixFiles.LStat(FilePath) is null)
            return GenerationHistory.Empty;
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

    public void Write(GenerationHistory history)
    {
        folder.Create();
        var temporary = FilePath + ".new";
        File.Delete(temporary);
        using (var file = new FileStream(temporary, new FileStreamOptions
               {
                   Mode = FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
               }))
            JsonSerializer.Serialize(file, history, Json);
        File.Move(temporary, FilePath, overwrite: true);
    }

    /// <summary>What a boot request's image and spec make, from the image's manifest (the hashes its build wrote).</summary>
    public static GenerationCandidate CandidateFor(BootRequest boot, string? sourceRevision = null)
    {
        var hashes = ImageSetFolder.FileHashes(boot.Image.Directory);
        var spec = Convert.ToHexStringLower(SHA256.HashData(JsonSerializer.SerializeToUtf8Bytes(boot.Spec)));
        var packages = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join('\n', boot.Image.Packages))));
        return new GenerationCandidate(boot.Image.Digest, hashes.GetValueOrDefault(ImageFiles.Kernel, ""), hashes.GetValueOrDefault(ImageFiles.Initramfs, ""),
            boot.Image.KernelVersion, spec, packages, sourceRevision);
    }
}
