using System.Globalization;
using Lethe.Core;

namespace Lethe.Machine.Qemu;

/// <summary>
/// A dynamic id held for one run. Holding it is an exclusive lock on /run/lethe/vmm-ids/ID.lock (root
/// only: /run is root's), so two root-run lethes never pick the same id; the kernel drops the lock
/// when lethe dies, whatever kills it, and QEMU dies with lethe.
/// </summary>
public sealed class DynamicAccountLease : IDisposable
{
    public const string LockFolder = "/run/lethe/vmm-ids";

    private readonly FileStream _lock;

    private DynamicAccountLease(int id, FileStream lockFile)
    {
        Id = id;
        _lock = lockFile;
    }

    public int Id { get; }

    public static DynamicAccountLease Claim()
    {
        foreach (var folder in new[] { "/run/lethe", LockFolder })
        {
            Directory.CreateDirectory(folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            if (new DirectoryInfo(folder).LinkTarget is not null)
                throw new HostException($"{folder} is a symbolic link; lethe will not keep its locks there");
        }
        var taken = TakenIds();
        var start = Random.Shared.Next(DynamicAccountRange.Count);
        for (var attempt = 0; attempt < 64; attempt++)
        {
            var id = DynamicAccountRange.Pick(taken, start + attempt) ?? throw new HostException("every id of lethe's dynamic range for QEMU is taken");
            var path = Path.Combine(LockFolder, id.ToString(CultureInfo.InvariantCulture) + ".lock");
            try
            {
                // FileShare.None takes flock(LOCK_EX | LOCK_NB): it fails while another lethe holds this id.
                return new DynamicAccountLease(id, new FileStream(path, new FileStreamOptions
                {
                    Mode = FileMode.OpenOrCreate, Access = FileAccess.ReadWrite, Share = FileShare.None,
                    UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
                }));
            }
            catch (IOException)
            {
                start = id - DynamicAccountRange.First + 1;
            }
        }
        throw new HostException("cannot lock a dynamic id for QEMU (see /run/lethe/vmm-ids)");
    }

    /// <summary>Ids the account files, subordinate ranges and running processes use.</summary>
    private static Func<int, bool> TakenIds()
    {
        var ids = new HashSet<int>();
        foreach (var file in new[] { "/etc/passwd", "/etc/group" })
            ids.UnionWith(HostIds.OfAccountFile(ReadOrEmpty(file)));
        foreach (var status in Directory.EnumerateDirectories("/proc").Where(d => Path.GetFileName(d).All(char.IsAsciiDigit)))
            ids.UnionWith(HostIds.OfProcessStatus(ReadOrEmpty(Path.Combine(status, "status"))));
        var ranges = HostIds.SubordinateRanges(ReadOrEmpty("/etc/subuid")).Concat(HostIds.SubordinateRanges(ReadOrEmpty("/etc/subgid"))).ToList();
        return id => ids.Contains(id) || ranges.Any(r => id >= r.First && id < r.First + r.Count);
    }

    private static string ReadOrEmpty(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return "";
        }
    }

    public void Dispose() => _lock.Dispose();
}
