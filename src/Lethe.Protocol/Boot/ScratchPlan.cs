namespace Lethe.Protocol.Boot;

/// <summary>
/// Pure: how the guest turns the scratch disk into an encrypted, freshly made filesystem at every boot.
/// dm-crypt in plain mode (no header, no KDF): aes-xts-plain64 with a 512-bit key drawn from the
/// guest's own random source, which never leaves guest RAM; so the host only ever holds ciphertext,
/// and the ciphertext is unreadable once the machine is gone. A fresh ext4 is made on the mapping
/// without zeroing anything (lazy init, no discard), by the image's own mke2fs run from the erofs
/// lower layer through the image's dynamic loader: the initramfs has no mke2fs.
/// </summary>
public static class ScratchPlan
{
    public const string MappingName = "lethe-scratch";
    /// <summary>cryptsetup's convention for a plain mapping, so that tools recognise it.</summary>
    public const string MappingUuid = "CRYPT-PLAIN-" + MappingName;
    public const string TargetType = "crypt";
    public const string Cipher = "aes-xts-plain64";
    /// <summary>XTS takes two AES-256 keys.</summary>
    public const int KeyBytes = 64;
    public const int SectorBytes = 512;
    /// <summary>Owner-writable, readable by all: the user's own folder.</summary>
    public const int RootMode = 0b111_101_101;

    /// <summary>The modules the mapping needs (aes itself is built into Debian's kernel).</summary>
    public static readonly IReadOnlyList<string> Modules = ["dm_mod", "dm_crypt", "xts", "ecb", "ext4"];

    public const string LibraryPath = MountPlan.Lower + "/usr/lib/x86_64-linux-gnu";
    /// <summary>Not /lower/lib64/ld-linux-x86-64.so.2: that is an absolute link into the initramfs's own /lib.</summary>
    public const string Loader = LibraryPath + "/ld-linux-x86-64.so.2";
    public const string Mke2fs = MountPlan.Lower + "/usr/sbin/mke2fs";
    public const string Mke2fsConfig = MountPlan.Lower + "/etc/mke2fs.conf";

    /// <summary>The mke2fs run: through the image's loader, so it works before the switch into the new root.</summary>
    public static ScratchCommand Mkfs(string device) => new(
        "mke2fs",
        Loader,
        [
            "--library-path", LibraryPath, Mke2fs,
            "-t", "ext4", "-q", "-F",
            "-E", "lazy_itable_init=1,lazy_journal_init=1,nodiscard",
            "-m", "0",
            device,
        ],
        new Dictionary<string, string> { ["MKE2FS_CONFFILE"] = Mke2fsConfig });

    /// <summary>
    /// The mapped filesystem. noinit_itable: the inode tables are never zeroed in the background either;
    /// the filesystem lives for one boot only, and zeroing would just write ciphertext for nothing.
    /// </summary>
    public static Mount Mount(string mappedDevice, string target, MountOptions options = MountOptions.NoSuid | MountOptions.NoDev) =>
        new(mappedDevice, target, "ext4", options, "noinit_itable");

    /// <summary>Where the scratch goes when the encrypted disk cannot be made: RAM, owned by the user.</summary>
    public static Mount Fallback(string target, int capMiB, int uid, int gid) =>
        new("tmpfs", target, "tmpfs", MountOptions.NoSuid | MountOptions.NoDev,
            $"mode=0755,uid={uid},gid={gid},size={Math.Max(16, capMiB)}m");

    /// <summary>The sysfs file that holds a disk's size in 512-byte sectors; null for a name that is not a plain /dev node.</summary>
    public static string? SizeFile(string device)
    {
        var name = device.StartsWith("/dev/", StringComparison.Ordinal) ? device[5..] : null;
        return name is { Length: > 0 } && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_')
            ? $"/sys/class/block/{name}/size"
            : null;
    }

    /// <summary>The sector count in a sysfs size file, or null when the disk is empty or the text is not a count.</summary>
    public static long? ParseSectors(string text) =>
        long.TryParse(text.Trim(), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var sectors) && sectors > 0
            ? sectors
            : null;

    /// <summary>The length in bytes of the crypt target's parameters, without the terminating NUL.</summary>
    public static int CryptParamsLength(string device, bool allowDiscards) =>
        Cipher.Length + 1 + KeyBytes * 2 + " 0 ".Length + device.Length + " 0".Length + (allowDiscards ? AllowDiscards.Length : 0);

    private const string AllowDiscards = " 1 allow_discards";

    /// <summary>
    /// Writes "aes-xts-plain64 KEYHEX 0 DEVICE 0[ 1 allow_discards]" (iv offset 0, device offset 0)
    /// as ASCII into <paramref name="destination"/> and returns its length. The key goes straight into
    /// the caller's buffer, never into a string, so that the caller can zero every copy of it.
    /// </summary>
    public static int WriteCryptParams(ReadOnlySpan<byte> key, string device, bool allowDiscards, Span<byte> destination)
    {
        if (key.Length != KeyBytes)
            throw new ArgumentException($"the key must be {KeyBytes} bytes", nameof(key));
        if (device.Length == 0 || device.Any(c => c is <= ' ' or > '~'))
            throw new ArgumentException("the device must be a printable path without spaces", nameof(device));
        var length = CryptParamsLength(device, allowDiscards);
        if (destination.Length < length)
            throw new ArgumentException($"the destination needs {length} bytes", nameof(destination));
        var at = Ascii(destination, 0, Cipher + " ");
        foreach (var b in key)
        {
            destination[at++] = Hex(b >> 4);
            destination[at++] = Hex(b & 0xF);
        }
        at = Ascii(destination, at, " 0 " + device + " 0");
        if (allowDiscards)
            at = Ascii(destination, at, AllowDiscards);
        return at;
    }

    private static byte Hex(int nibble) => (byte)(nibble < 10 ? '0' + nibble : 'a' + nibble - 10);

    private static int Ascii(Span<byte> destination, int at, string text)
    {
        foreach (var c in text)
            destination[at++] = (byte)c;
        return at;
    }
}

/// <summary>A program to run with its arguments (never through a shell) and extra environment; <see cref="Name"/> is for messages.</summary>
public sealed record ScratchCommand(string Name, string Program, IReadOnlyList<string> Arguments, IReadOnlyDictionary<string, string> Environment);
