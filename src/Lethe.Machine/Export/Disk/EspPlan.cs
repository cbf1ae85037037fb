using Lethe.Protocol.Boot;

namespace Lethe.Machine.Export.Disk;

/// <summary>A file the EFI system partition gets: from a host file, or text written by lethe.</summary>
public sealed record EspFile(string PathOnEsp, string? SourceFile = null, string? Text = null);

/// <summary>
/// Pure: what the EFI system partition holds. systemd-boot at the firmware's fallback path (so no boot entry has to be
/// written into the firmware's variables), one boot entry that starts the image's own kernel with lethe's initramfs and
/// a second archive holding the baked seed and the disk drivers; no menu, no editing of the command line.
/// </summary>
public static class EspPlan
{
    public const string Bootloader = "/EFI/BOOT/BOOTX64.EFI";
    public const string Kernel = "/lethe/vmlinuz";
    public const string Initramfs = "/lethe/initramfs.cpio";
    public const string StandaloneArchive = "/lethe/standalone.cpio";
    public const string EntryName = "lethe.conf";

    public static IReadOnlyList<string> Folders => ["/EFI", "/EFI/BOOT", "/loader", "/loader/entries", "/lethe"];

    public static IReadOnlyList<EspFile> Files(string bootloader, string kernel, string initramfs, string standaloneArchive, string title) =>
    [
        new(Bootloader, SourceFile: bootloader),
        new("/loader/loader.conf", Text: LoaderConfig()),
        new("/loader/entries/" + EntryName, Text: Entry(title)),
        new(Kernel, SourceFile: kernel),
        new(Initramfs, SourceFile: initramfs),
        new(StandaloneArchive, SourceFile: standaloneArchive),
    ];

    public static string LoaderConfig() => $"default {EntryName}\ntimeout 0\neditor no\n";

    public static string Entry(string title)
    {
        if (title.Any(char.IsControl))
            throw new ArgumentException("a boot entry's title is one line", nameof(title));
        return $"title {title}\nlinux {Kernel}\ninitrd {Initramfs}\ninitrd {StandaloneArchive}\noptions {StandalonePlan.KernelCommandLine()}\n";
    }
}
