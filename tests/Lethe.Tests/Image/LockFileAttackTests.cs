using Lethe.Core;
using Lethe.Image.Lock;

namespace Lethe.Tests.Image;

/// <summary>
/// lethe.lock is written beside the spec, in a folder its user controls. When root builds, a link the
/// user planted there must not make root create a file elsewhere, nor hand one over.
/// </summary>
public sealed class LockFileAttackTests
{
    private const string SpecOwner = "54321:54321";
    private static readonly PackageLock Lock = new("bookworm", [new LockedPackage("bash", "5.2.15-2+b7")]);

    [Fact]
    public async Task A_link_planted_at_the_temporary_name_makes_root_create_nothing_outside_the_folder()
    {
        if (!Environment.IsPrivilegedProcess)
            Assert.Skip("needs root: the attack is on root's build writing into a user's folder");
        var token = TestContext.Current.CancellationToken;
        using var user = new ScratchFolder();
        using var elsewhere = new ScratchFolder();
        var spec = user.Write("lethe.yaml", "name: x\n");
        var victim = elsewhere.Combine("planted-victim");
        File.CreateSymbolicLink(user.Combine("lethe.lock.tmp"), victim);
        await ChownAsync(SpecOwner, user.Path, token);
        await ChownAsync(SpecOwner, spec, token);

        await LockLocation.WriteAsync(user.Combine("lethe.lock"), Lock, spec, token);

        File.Exists(victim).ShouldBeFalse("root followed the planted link and created a file outside the spec's folder");
        var written = new FileInfo(user.Combine("lethe.lock"));
        written.LinkTarget.ShouldBeNull();
        (await File.ReadAllTextAsync(written.FullName, token)).ShouldBe(Lock.Format());
        (await OwnerAsync(written.FullName, token)).ShouldBe(SpecOwner);
    }

    [Fact]
    public async Task A_link_planted_at_the_lock_itself_is_replaced_and_its_target_keeps_its_owner()
    {
        if (!Environment.IsPrivilegedProcess)
            Assert.Skip("needs root: the attack is on root's build handing a file to the spec's owner");
        var token = TestContext.Current.CancellationToken;
        using var user = new ScratchFolder();
        using var elsewhere = new ScratchFolder();
        var spec = user.Write("lethe.yaml", "name: x\n");
        var rootsFile = elsewhere.Write("roots-file", "root's\n");
        File.CreateSymbolicLink(user.Combine("lethe.lock"), rootsFile);
        await ChownAsync(SpecOwner, spec, token);

        await LockLocation.WriteAsync(user.Combine("lethe.lock"), Lock, spec, token);

        (await OwnerAsync(rootsFile, token)).ShouldBe("0:0");
        (await File.ReadAllTextAsync(rootsFile, token)).ShouldBe("root's\n");
        new FileInfo(user.Combine("lethe.lock")).LinkTarget.ShouldBeNull();
        (await OwnerAsync(user.Combine("lethe.lock"), token)).ShouldBe(SpecOwner);
    }

    [Fact]
    public async Task Rewriting_a_lock_leaves_no_temporary_file_behind()
    {
        var token = TestContext.Current.CancellationToken;
        using var folder = new ScratchFolder();
        var path = folder.Combine("lethe.lock");
        await LockLocation.WriteAsync(path, Lock, ownerReference: null, token);
        await LockLocation.WriteAsync(path, Lock, ownerReference: null, token);

        Directory.GetFiles(folder.Path).Select(Path.GetFileName).ShouldBe(["lethe.lock"]);
        (await File.ReadAllTextAsync(path, token)).ShouldBe(Lock.Format());
    }

    private static Task ChownAsync(string owner, string path, CancellationToken token) =>
        new HostCommand("chown").WithArguments("-h", owner, "--", path).RunAsync(token);

    private static async Task<string> OwnerAsync(string path, CancellationToken token) =>
        (await new HostCommand("stat").WithArguments("-c", "%u:%g", "--", path).RunAsync(token)).Trim();
}
