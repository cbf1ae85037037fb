using Lethe.Machine.Network;
using Lethe.Machine.Network.Gateway;

namespace Lethe.Tests.Network;

public sealed class ForwardPlanTests
{
    [Fact]
    public void New_listeners_are_added_and_gone_ones_removed_leaving_spec_forwards_alone()
    {
        PortForward[] current = [new(8080, 80, ForwardOrigin.Spec), new(3000, 3000, ForwardOrigin.Auto), new(4000, 4000, ForwardOrigin.Auto)];
        var changes = ForwardPlan.Auto(current, [3000, 5173, 80]);
        changes.Add.ShouldBe([5173]);
        changes.Remove.ShouldBe([4000]);
    }

    [Fact]
    public void A_port_a_spec_forward_holds_on_the_host_or_leads_to_is_not_forwarded_again()
    {
        PortForward[] current = [new(9000, 8000, ForwardOrigin.Spec)];
        ForwardPlan.Auto(current, [8000, 9000]).Add.ShouldBeEmpty();
    }

    [Theory]
    [InlineData(22)]
    [InlineData(80)]
    [InlineData(1023)]
    [InlineData(0)]
    [InlineData(70000)]
    public void Privileged_and_impossible_ports_are_never_auto_forwarded(int port) =>
        ForwardPlan.Auto([], [port]).Add.ShouldBeEmpty();

    [Fact]
    public void Nothing_listening_removes_every_auto_forward() =>
        ForwardPlan.Auto([new(3000, 3000, ForwardOrigin.Auto)], []).Remove.ShouldBe([3000]);
}
