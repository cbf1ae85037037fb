using Lethe.Image.Rootfs;
using Lethe.Machine.Accel;
using Lethe.Machine.Host;

namespace Lethe.Tests.Machine;

/// <summary>lethe doctor's decision: each gap of the host with the one command that closes it.</summary>
public sealed class HostReadinessTests
{
    private static readonly HostFacts NoKvm = new(false, false, [], RunningAsRoot: false) { UserName = "alice" };
    private static readonly UserNamespaceFacts ReadyUser = new(
        RunningAsRoot: false, "alice", 1001, UnprivilegedUsernsClone: null, MaxUserNamespaces: "63000", AppArmorRestrictsUserns: null,
        "alice:100000:65536\n", "alice:100000:65536\n", NewuidmapPresent: true);

    [Fact]
    public void A_ready_user_on_a_host_without_kvm_has_nothing_to_fix()
    {
        HostReadiness.Findings(NoKvm, ReadyUser, []).ShouldBeEmpty();
    }

    [Fact]
    public void Root_needs_no_user_namespace_nor_subordinate_ids()
    {
        var root = ReadyUser with { RunningAsRoot = true, UnprivilegedUsernsClone = "0", SubuidText = "", NewuidmapPresent = false };
        UserNamespaceReadiness.Findings(root).ShouldBeEmpty();
    }

    [Theory]
    [InlineData("0", "63000", null, "kernel.unprivileged_userns_clone=1")]
    [InlineData(null, "0", null, "user.max_user_namespaces=15000")]
    [InlineData(null, "63000", "1", "kernel.apparmor_restrict_unprivileged_userns=0")]
    public void Disabled_user_namespaces_are_named_with_the_sysctl_that_enables_them(string? clone, string? max, string? apparmor, string setting)
    {
        var facts = ReadyUser with { UnprivilegedUsernsClone = clone, MaxUserNamespaces = max, AppArmorRestrictsUserns = apparmor };

        var finding = HostReadiness.Findings(NoKvm, facts, []).ShouldHaveSingleItem();

        finding.Blocks.ShouldBeTrue();
        finding.Fix.ShouldBe($"echo {setting} | sudo tee -a /etc/sysctl.d/60-lethe-userns.conf && sudo sysctl -p /etc/sysctl.d/60-lethe-userns.conf");
    }

    [Fact]
    public void A_user_without_subordinate_ids_is_told_the_usermod_that_gives_a_free_block()
    {
        var facts = ReadyUser with { SubuidText = "bob:100000:65536\n", SubgidText = "bob:100000:65536\n" };

        var finding = HostReadiness.Findings(NoKvm, facts, []).ShouldHaveSingleItem();

        finding.Problem.ShouldBe("/etc/subuid has no range for alice: an image build needs one for its user namespace");
        finding.Fix.ShouldBe("sudo usermod --add-subuids 165536-231071 --add-subgids 165536-231071 alice");
    }

    [Fact]
    public void Missing_packages_are_one_finding_with_apt_get_update_and_sudo_for_a_user()
    {
        var facts = ReadyUser with { NewuidmapPresent = false };

        var finding = HostReadiness.Findings(NoKvm, facts, ["qemu-system-x86", "uidmap"]).ShouldHaveSingleItem();

        finding.Problem.ShouldBe("missing host packages: qemu-system-x86 uidmap");
        finding.Fix.ShouldBe("sudo apt-get update && sudo apt-get install --no-install-recommends qemu-system-x86 uidmap");
        HostReadiness.InstallCommand(["uidmap"], asRoot: true).ShouldBe("apt-get update && apt-get install --no-install-recommends uidmap");
    }

    [Fact]
    public void A_missing_newuidmap_alone_names_the_uidmap_package()
    {
        HostReadiness.Findings(NoKvm, ReadyUser with { NewuidmapPresent = false }, []).ShouldHaveSingleItem()
            .Fix.ShouldBe("sudo apt-get update && sudo apt-get install --no-install-recommends uidmap");
    }

    [Fact]
    public void Kvm_behind_a_group_the_user_is_not_in_is_a_note_with_usermod_and_a_new_login()
    {
        var kvm = new HostFacts(true, false, ["kvm", "kvm_intel"], RunningAsRoot: false) { KvmGroup = "kvm", UserName = "alice" };

        var finding = HostReadiness.Findings(kvm, ReadyUser, []).ShouldHaveSingleItem();

        finding.Blocks.ShouldBeFalse();
        finding.Fix.ShouldBe("sudo usermod -aG kvm alice, then log in again");
    }

    [Fact]
    public void Kvm_that_could_not_boot_anyway_gets_no_fix()
    {
        var pvm = new HostFacts(true, false, ["kvm", "kvm_pvm"], RunningAsRoot: false) { KvmGroup = "kvm", UserName = "alice" };
        HostReadiness.Findings(pvm, ReadyUser, []).ShouldBeEmpty();
    }
}
