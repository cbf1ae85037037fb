using Lethe.Image.Cpio;
using Lethe.Protocol;

namespace Lethe.Machine.Seed;

/// <summary>
/// Writes a run's initramfs: the cached image initramfs followed by a small cpio holding the seed.
/// Linux unpacks concatenated archives in order, so the cached part is never rebuilt per run.
/// </summary>
public static class SeedArchive
{
    public static byte[] Build(GuestSeed seed)
    {
        using var buffer = new MemoryStream();
        var writer = new CpioWriter(buffer);
        writer.AddDirectory("lethe", 0b111_101_101);
        writer.AddFile(SeedLayout.SeedPath, ProtocolJson.Serialize(seed), 0b110_100_100);
        writer.Finish();
        return buffer.ToArray();
    }

    public static void WriteRunInitramfs(string cachedInitramfs, GuestSeed seed, string destination)
    {
        using var output = new FileStream(destination, FileMode.CreateNew, FileAccess.Write);
        using (var input = File.OpenRead(cachedInitramfs))
            input.CopyTo(output);
        // newc archives are 4-byte aligned; the kernel skips zero padding between archives.
        while (output.Position % 4 != 0)
            output.WriteByte(0);
        output.Write(Build(seed));
    }
}
