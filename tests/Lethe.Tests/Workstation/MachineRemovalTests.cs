using Lethe.Core;
using Lethe.Machine.Workstation;

namespace Lethe.Tests.Workstation;

public sealed class MachineRemovalTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("lethe-rm-").FullName;
    private string Machines => Path.Combine(_root, "machines");

    public void Dispose() => Directory.Delete(_root, true);

    private MachineFolder Stopped(string name = "dev")
    {
        var folder = new MachineFolder(Machines, name);
        folder.Create();
        using (var disk = File.Create(folder.PersistDisk))
            disk.SetLength(1L << 30);
        File.WriteAllText(folder.ConsoleLog, "boot\n");
        return folder;
    }

    [Fact]
    public void The_plan_lists_every_path_with_its_size_and_deletes_nothing()
    {
        var folder = Stopped();

        var plan = MachineRemoval.Plan(folder);

        plan.Entries.Select(e => Path.GetFileName(e.Path)).ShouldBe(["console.log", "lock", "persist.ext4"]);
        plan.Entries.Single(e => e.Path == folder.PersistDisk).Bytes.ShouldBe(1L << 30);
        MachineRemoval.Describe(plan)[2].ShouldStartWith($"{folder.PersistDisk}\t1 GiB (");
        MachineRemoval.Describe(plan)[^1].ShouldStartWith("total\t1 GiB");
        File.Exists(folder.PersistDisk).ShouldBeTrue();
    }

    [Fact]
    public void Remove_deletes_the_machine_folder_so_it_is_no_longer_listed()
    {
        var folder = Stopped();
        Stopped("other");

        MachineRemoval.Remove(folder);

        Directory.Exists(folder.Path).ShouldBeFalse();
        MachineFolder.All(Machines).Select(m => m.Name).ShouldBe(["other"]);
    }

    [Fact]
    public void A_running_machine_is_refused_in_one_line()
    {
        var folder = Stopped();
        using var supervisorLock = folder.TryLock();

        Should.Throw<LetheException>(() => MachineRemoval.Plan(folder)).Message.ShouldBe("machine dev is running; stop it first with: lethe down dev");
        Should.Throw<LetheException>(() => MachineRemoval.Remove(folder));
        File.Exists(folder.PersistDisk).ShouldBeTrue();
    }

    [Fact]
    public void An_unknown_machine_is_refused() =>
        Should.Throw<LetheException>(() => MachineRemoval.Plan(new MachineFolder(Machines, "ghost"))).Message.ShouldBe("there is no machine ghost");

    [Fact]
    public void A_link_in_the_machine_folder_is_removed_but_never_followed()
    {
        var folder = Stopped();
        var victim = Path.Combine(_root, "victim");
        Directory.CreateDirectory(victim);
        File.WriteAllText(Path.Combine(victim, "precious"), "keep me");
        File.CreateSymbolicLink(Path.Combine(folder.Path, "link"), victim);

        MachineRemoval.Remove(folder);

        File.ReadAllText(Path.Combine(victim, "precious")).ShouldBe("keep me");
    }

    [Theory]
    [InlineData(512, "512 B")]
    [InlineData(1536, "1.5 KiB")]
    [InlineData(1L << 30, "1 GiB")]
    public void Sizes_read_as_people_read_them(long bytes, string text) => MachineRemoval.Size(bytes).ShouldBe(text);
}
