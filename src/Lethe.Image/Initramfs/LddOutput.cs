namespace Lethe.Image.Initramfs;

/// <summary>Reads the shared libraries (and dynamic loader) a program needs from <c>ldd</c> output.</summary>
public static class LddOutput
{
    /// <returns>Absolute host paths, in the order ldd gave them; empty for a static program.</returns>
    /// <exception cref="InvalidDataException">A library could not be found.</exception>
    public static IReadOnlyList<string> Parse(string output)
    {
        var libraries = new List<string>();
        foreach (var rawLine in output.Split('\n'))
        {
            var line = rawLine.Trim();
            if (line.Length == 0 || line.Contains("not a dynamic executable", StringComparison.Ordinal)
                || line.Contains("statically linked", StringComparison.Ordinal))
                continue;
            var arrow = line.IndexOf("=>", StringComparison.Ordinal);
            var path = arrow >= 0 ? line[(arrow + 2)..].Trim() : line;
            if (path.StartsWith("not found", StringComparison.Ordinal))
                throw new InvalidDataException($"shared library {line[..arrow].Trim()} not found");
            var address = path.IndexOf(" (", StringComparison.Ordinal);
            if (address >= 0)
                path = path[..address];
            // linux-vdso.so.1 has no file: the kernel maps it into every process.
            if (path.StartsWith('/'))
                libraries.Add(path);
        }
        return libraries;
    }
}
