using Lethe.Core;
using Lethe.Image.Tools;

namespace Lethe.Image.Kernel;

/// <summary>
/// Turns Debian's xz-compressed bzImage into the ELF vmlinux that QEMU boots directly by PVH, which skips
/// the in-guest decompression (measured: 4.2 s → 2.4 s to a busybox shell under TCG).
/// </summary>
public static class KernelExtractor
{
    public static async Task ExtractAsync(string bzImagePath, string vmlinuxPath, CancellationToken cancellationToken)
    {
        var image = await File.ReadAllBytesAsync(bzImagePath, cancellationToken).ConfigureAwait(false);
        (int Offset, int Length) payload;
        try
        {
            payload = BzImage.FindXzPayload(image);
        }
        catch (InvalidDataException e)
        {
            throw new LetheException($"{bzImagePath}: {e.Message}");
        }

        await using (var output = new FileStream(vmlinuxPath, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16))
        {
            var xz = new HostCommand("xz").WithArguments("-dc", "--single-stream");
            await BinaryPipe.RunAsync(xz, image.AsMemory(payload.Offset, payload.Length), output, cancellationToken).ConfigureAwait(false);
        }

        await using var vmlinux = File.OpenRead(vmlinuxPath);
        var start = new byte[4];
        if (vmlinux.Read(start) < 4 || !ElfKernel.StartsWithElfMagic(start))
            throw new LetheException($"{bzImagePath}: the decompressed kernel is not an ELF file");
        if (!ElfKernel.HasPvhEntryNote(vmlinux))
            throw new LetheException($"{bzImagePath}: the kernel has no PVH entry note (needs CONFIG_PVH=y to boot with -M microvm)");
    }
}
