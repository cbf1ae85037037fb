using Lethe.Core;
using Lethe.Spec;

namespace Lethe.Image.Lock;

/// <summary>Where a spec's lock file lives: beside the spec, or in the cache for the embedded default.</summary>
public static class LockLocation
{
    public static string For(MachineSpec spec, LethePaths paths) =>
        spec.SourcePath is { } source
            ? Path.ChangeExtension(source, ".lock")
            : Path.Combine(paths.Cache, $"default-{spec.Image.Suite}.lock");

    /// <summary>The lock to build with: null when there is none yet or it was written for another suite.</summary>
    public static PackageLock? TryRead(string path, string suite, Action<string>? report = null)
    {
        if (!File.Exists(path))
            return null;
        var existing = PackageLock.Parse(File.ReadAllText(path), path);
        if (existing.Suite == suite)
            return existing;
        report?.Invoke($"{Path.GetFileName(path)} is for suite {existing.Suite}, not {suite}: taking the newest versions");
        return null;
    }

    public static void Write(string path, PackageLock packageLock)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var temporary = path + ".tmp";
        File.WriteAllText(temporary, packageLock.Format());
        File.Move(temporary, path, overwrite: true);
    }
}
