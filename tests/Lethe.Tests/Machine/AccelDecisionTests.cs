using Lethe.Machine.Accel;
using Lethe.Spec;

namespace Lethe.Tests.Machine;

public sealed class AccelDecisionTests
{
    private static readonly HostFacts GoodKvm = new(true, true, ["kvm", "kvm_intel"], RunningAsRoot: false);
    private static readonly HostFacts NestedPvm = new(true, true, ["kvm", "kvm_pvm"], RunningAsRoot: true);
    private static readonly HostFacts NoKvm = new(false, false, [], RunningAsRoot: false);

    [Fact]
    public void Auto_uses_kvm_on_an_ordinary_host_without_a_note()
    {
        var decision = AccelDecision.Decide(AccelMode.Auto, GoodKvm);
        decision.Accelerator.ShouldBe(Accelerator.Kvm);
        decision.Note.ShouldBeNull();
        decision.Refusal.ShouldBeNull();
    }

    [Fact]
    public void Auto_falls_back_to_tcg_on_nested_pvm_with_one_line_saying_why()
    {
        var decision = AccelDecision.Decide(AccelMode.Auto, NestedPvm);
        decision.Accelerator.ShouldBe(Accelerator.Tcg);
        decision.Note.ShouldNotBeNull();
        decision.Note.ShouldContain("kvm_pvm");
        decision.Note.ShouldNotContain("\n");
    }

    [Fact]
    public void Kvm_demanded_where_it_cannot_work_is_refused_with_the_reason()
    {
        AccelDecision.Decide(AccelMode.Kvm, NestedPvm).Refusal.ShouldNotBeNull().ShouldContain("kvm_pvm");
        AccelDecision.Decide(AccelMode.Kvm, NoKvm).Refusal.ShouldNotBeNull().ShouldContain("/dev/kvm");
        AccelDecision.Decide(AccelMode.Kvm, GoodKvm).Refusal.ShouldBeNull();
    }

    [Fact]
    public void Tcg_demanded_is_always_tcg()
    {
        AccelDecision.Decide(AccelMode.Tcg, GoodKvm).Accelerator.ShouldBe(Accelerator.Tcg);
    }

    [Fact]
    public void A_root_only_kvm_device_is_unusable_because_qemu_never_runs_as_root()
    {
        var rootOnly = new HostFacts(true, false, ["kvm", "kvm_amd"], RunningAsRoot: true);
        AccelDecision.KvmProblem(rootOnly).ShouldNotBeNull().ShouldContain("never runs QEMU as root");
    }
}
