using System.Security.Cryptography;
using Lethe.Core;
using Lethe.Machine.Qemu;

namespace Lethe.Machine.Bench;

/// <summary>
/// The fresh host folder lethe bench share shares read-write: made (mode 0700, exclusively) inside the
/// folder the bench runs in, so it sits on the file system a project's workspace would, with the
/// tarball to unpack; removed afterwards without following links. As root it is given to the owner of
/// that folder, since QEMU serves a root-owned folder read-only (see <see cref="ShareAccess"/>).
/// </summary>
public sealed class ShareBenchFolder : IDisposable
{
    public string Path { get; }

    private ShareBenchFolder(string path) => Path = path;

    /// <summary>Pure: who the folder must belong to (null: whoever makes it), or why the bench cannot write there.</summary>
    public static (int Uid, int Gid)? OwnerFor(bool letheIsRoot, string parent, FileFacts parentFacts, int? ownerPrimaryGid)
    {
        if (!parentFacts.IsDirectory || parentFacts.IsLink)
            throw new HostException($"{parent} is not a folder");
        if (!letheIsRoot)
            return null;
        if (parentFacts.Uid == 0 || ownerPrimaryGid is null or 0)
            throw new HostException($"as root, bench share runs in a folder of an ordinary user (cd into one): {parent} belongs to " +
                (parentFacts.Uid == 0 ? "root" : $"uid {parentFacts.Uid}, which has no account with a primary group other than root's") +
                ", and QEMU never writes as root");
        return (parentFacts.Uid, ownerPrimaryGid.Value);
    }

    public static ShareBenchFolder Create(string parent, IReadOnlyList<ShareTree.Entry> tree, string tarName)
    {
        var facts = PosixFiles.LStat(parent) ?? throw new HostException($"{parent} does not exist");
        var letheIsRoot = Environment.IsPrivilegedProcess;
        var owner = OwnerFor(letheIsRoot, parent, facts, letheIsRoot ? HostIds.PrimaryGroupOf(ReadOrEmpty("/etc/passwd"), facts.Uid) : null);
        var path = System.IO.Path.Combine(parent, ".lethe-bench-share-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6)));
        if (!PosixFiles.TryMakeDirectory(path, PrivateFolder.Mode))
            throw new HostException($"{path} is already there");
        var folder = new ShareBenchFolder(path);
        try
        {
            // The tarball first, while the folder is still only lethe's: nobody else can plant anything there.
            using (var tar = new FileStream(System.IO.Path.Combine(path, tarName), new FileStreamOptions
            {
                Mode = FileMode.CreateNew, Access = FileAccess.Write,
                UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead,
            }))
            {
                if (owner is { } fileOwner)
                    PosixFiles.ChangeOwner(tar.SafeFileHandle, fileOwner.Uid, fileOwner.Gid);
                ShareTree.WriteTar(tar, tree);
            }
            if (owner is { } id)
            {
                using var handle = PosixFiles.OpenNoFollow(path, directory: true);
                PosixFiles.ChangeOwner(handle, id.Uid, id.Gid);
            }
            return folder;
        }
        catch
        {
            folder.Dispose();
            throw;
        }
    }

    public void Dispose() => SafeDelete.Tree(Path);

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
}
