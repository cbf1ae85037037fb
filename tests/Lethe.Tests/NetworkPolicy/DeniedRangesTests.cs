using System.Net;
using Lethe.Machine.Network.Policy;

namespace Lethe.Tests.NetworkPolicy;

public sealed class DeniedRangesTests
{
    private static readonly DeniedRanges Ranges = new([IPAddress.Parse("203.0.113.7")]);

    [Theory]
    [InlineData("0.0.0.0")]
    [InlineData("0.255.255.255")]
    [InlineData("127.0.0.1")]
    [InlineData("127.255.255.254")]
    [InlineData("10.0.0.1")]
    [InlineData("10.0.2.2")]
    [InlineData("172.16.0.1")]
    [InlineData("172.31.255.255")]
    [InlineData("192.168.1.1")]
    [InlineData("100.64.0.1")]
    [InlineData("100.127.255.255")]
    [InlineData("169.254.169.254")]
    [InlineData("224.0.0.1")]
    [InlineData("239.255.255.250")]
    [InlineData("240.0.0.1")]
    [InlineData("255.255.255.255")]
    [InlineData("203.0.113.7")]
    [InlineData("::1")]
    [InlineData("::ffff:127.0.0.1")]
    [InlineData("fd00::1")]
    public void Host_private_shared_link_local_multicast_and_reserved_addresses_are_denied(string address) =>
        Ranges.Find(IPAddress.Parse(address)).ShouldNotBeNull();

    [Theory]
    [InlineData("1.1.1.1")]
    [InlineData("140.82.112.3")]
    [InlineData("172.15.255.255")]
    [InlineData("172.32.0.0")]
    [InlineData("100.63.255.255")]
    [InlineData("100.128.0.0")]
    [InlineData("192.169.0.1")]
    [InlineData("203.0.113.8")]
    [InlineData("223.255.255.255")]
    public void Public_addresses_are_not(string address) => Ranges.Find(IPAddress.Parse(address)).ShouldBeNull();

    [Fact]
    public void The_reason_names_the_range()
    {
        Ranges.Find(IPAddress.Parse("169.254.169.254"))!.Why.ShouldContain("cloud metadata");
        Ranges.Find(IPAddress.Parse("203.0.113.7"))!.Why.ShouldBe("one of the host's own addresses");
        Ranges.Find(IPAddress.Parse("127.0.0.1"))!.Why.ShouldContain("loopback");
    }
}
