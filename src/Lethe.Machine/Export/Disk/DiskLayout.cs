using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Lethe.Protocol.Boot;

namespace Lethe.Machine.Export.Disk;

/// <summary>One GPT partition: where it starts and how long it is, in 512-byte sectors.</summary>
public sealed record DiskPartition(string Name, string TypeGuid, string Guid, long StartSector, long Sectors)
{
    public long Offset => StartSector * DiskLayout.SectorBytes;
    public long Bytes => Sectors * DiskLayout.SectorBytes;
}

/// <summary>
/// Pure: the exported disk's GPT. An EFI system partition, the image (erofs, read-only), and the persist partition,
/// each aligned to 1 MiB, with 1 MiB left at the end for the backup table. The GUIDs are derived from the image's
/// digest, so one image always gives the same disk, and two images give different ones.
/// </summary>
public sealed record DiskLayout(string DiskGuid, DiskPartition Esp, DiskPartition Root, DiskPartition Persist, long TotalBytes)
{
    public const int SectorBytes = 512;
    private const long MiB = 1024 * 1024;
    private const long SectorsPerMiB = MiB / SectorBytes;
    public const long EspMiB = 128;

    public const string EspType = "C12A7328-F81F-11D2-BA4B-00A0C93EC93B";
    /// <summary>Linux filesystem data, not the discoverable root type: systemd's gpt-auto-generator must leave both alone.</summary>
    public const string LinuxDataType = "0FC63DAF-8483-4772-8E79-3D69D8477DE4";

    public static DiskLayout For(string imageDigest, long rootBytes, long persistMiB)
    {
        if (rootBytes <= 0)
            throw new ArgumentOutOfRangeException(nameof(rootBytes));
        if (persistMiB <= 0)
            throw new ArgumentOutOfRangeException(nameof(persistMiB));
        var rootMiB = (rootBytes + MiB - 1) / MiB;
        var esp = new DiskPartition("EFI system", EspType, GuidFor(imageDigest, "esp"), SectorsPerMiB, EspMiB * SectorsPerMiB);
        var root = new DiskPartition(StandalonePlan.RootPartition, LinuxDataType, GuidFor(imageDigest, "root"), esp.StartSector + esp.Sectors, rootMiB * SectorsPerMiB);
        var persist = new DiskPartition(StandalonePlan.PersistPartition, LinuxDataType, GuidFor(imageDigest, "persist"), root.StartSector + root.Sectors, persistMiB * SectorsPerMiB);
        var total = (persist.StartSector + persist.Sectors + SectorsPerMiB) * SectorBytes;
        return new DiskLayout(GuidFor(imageDigest, "disk"), esp, root, persist, total);
    }

    public IReadOnlyList<DiskPartition> Partitions => [Esp, Root, Persist];

    /// <summary>The table as an sfdisk script: every GUID given, so that sfdisk invents nothing.</summary>
    public string SfdiskScript()
    {
        var text = new StringBuilder()
            .Append("label: gpt\n")
            .Append(CultureInfo.InvariantCulture, $"label-id: {DiskGuid}\n")
            .Append("unit: sectors\n")
            .Append(CultureInfo.InvariantCulture, $"first-lba: {SectorsPerMiB}\n");
        foreach (var partition in Partitions)
            text.Append(CultureInfo.InvariantCulture,
                $"start={partition.StartSector}, size={partition.Sectors}, type={partition.TypeGuid}, uuid={partition.Guid}, name=\"{partition.Name}\"\n");
        return text.ToString();
    }

    /// <summary>A version-4-shaped GUID from the digest and the role (RFC 9562's version and variant bits set).</summary>
    public static string GuidFor(string imageDigest, string role)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes($"lethe-disk:{imageDigest}:{role}"));
        hash[6] = (byte)((hash[6] & 0x0F) | 0x40);
        hash[8] = (byte)((hash[8] & 0x3F) | 0x80);
        var hex = Convert.ToHexString(hash, 0, 16);
        return $"{hex[..8]}-{hex[8..12]}-{hex[12..16]}-{hex[16..20]}-{hex[20..32]}";
    }
}
