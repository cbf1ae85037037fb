using System.Net;
using Lethe.Protocol;
using Lethe.Protocol.Boot;

namespace Lethe.Tests.Network;

public sealed class NetworkPlanTests
{
    [Fact]
    public void The_interface_gets_the_fixed_guest_address_a_24_bit_mask_and_the_gateway_as_default_route()
    {
        var plan = NetworkPlan.For("eth0");
        plan.Address.ShouldBe(IPAddress.Parse("10.0.2.15"));
        plan.Netmask.ShouldBe(IPAddress.Parse("255.255.255.0"));
        plan.Gateway.ShouldBe(IPAddress.Parse("10.0.2.2"));
    }

    [Fact]
    public void Ipv6_is_off_on_the_interface_and_loopback_forwards_are_allowed_in()
    {
        var settings = NetworkPlan.For("enX0").Settings.ToDictionary(s => s.Path, s => s.Value);
        settings["/proc/sys/net/ipv6/conf/enX0/disable_ipv6"].ShouldBe("1");
        settings["/proc/sys/net/ipv6/conf/default/disable_ipv6"].ShouldBe("1");
        settings["/proc/sys/net/ipv4/conf/all/route_localnet"].ShouldBe("1");
        settings["/proc/sys/net/ipv4/conf/enX0/route_localnet"].ShouldBe("1");
        settings.Keys.ShouldNotContain("/proc/sys/net/ipv6/conf/all/disable_ipv6", "the loopback keeps ::1");
        settings.Keys.ShouldNotContain("/proc/sys/net/ipv6/conf/lo/disable_ipv6");
    }

    [Theory]
    [InlineData(0, "0.0.0.0")]
    [InlineData(8, "255.0.0.0")]
    [InlineData(24, "255.255.255.0")]
    [InlineData(26, "255.255.255.192")]
    [InlineData(32, "255.255.255.255")]
    public void Netmasks(int prefix, string mask) => NetworkPlan.Netmask(prefix).ShouldBe(IPAddress.Parse(mask));

    [Fact]
    public void The_interface_is_found_by_the_guests_mac_whatever_it_is_called()
    {
        NetworkPlan.FindInterface([("lo", "00:00:00:00:00:00\n"), ("enX0", "52:54:00:12:34:56\n")]).ShouldBe("enX0");
        NetworkPlan.FindInterface([("eth1", "52:54:00:12:34:57"), ("eth0", "52:54:00:12:34:56")]).ShouldBe("eth0");
        NetworkPlan.FindInterface([("lo", "00:00:00:00:00:00")]).ShouldBeNull();
        NetworkPlan.FindInterface([]).ShouldBeNull();
    }

    [Theory]
    [InlineData("..")]
    [InlineData("a/b")]
    [InlineData("")]
    [InlineData("sixteen-chars-xx")]
    [InlineData("bad name")]
    public void A_name_no_kernel_interface_has_is_never_taken_nor_planned(string name)
    {
        NetworkPlan.FindInterface([(name, NetworkLayout.GuestMac)]).ShouldBeNull();
        Should.Throw<ArgumentException>(() => NetworkPlan.For(name));
    }

    [Fact]
    public void With_a_network_resolv_conf_names_lethes_resolver_and_replaces_whatever_was_there_without_following_it()
    {
        var steps = NetworkPlan.Resolver(new NetworkSeed());
        steps[0].ShouldBe(new RemoveEntry("/etc/resolv.conf", "/etc"));
        var write = steps[1].ShouldBeOfType<WriteNewFile>();
        write.Path.ShouldBe("/etc/resolv.conf");
        write.Ownership.ShouldBe(new Ownership(0, 0, 0b110_100_100));
        write.Content.Split('\n').Where(l => l.StartsWith("nameserver", StringComparison.Ordinal)).ShouldBe(["nameserver 10.0.2.3"]);
    }

    [Fact]
    public void Without_a_network_resolv_conf_names_no_server()
    {
        var write = NetworkPlan.Resolver(null)[1].ShouldBeOfType<WriteNewFile>();
        write.Content.ShouldNotContain("nameserver");
        write.Content.ShouldContain("no network");
    }
}

public sealed class NetworkModulesTests
{
    [Fact]
    public void Every_module_the_guest_loads_for_a_network_is_one_the_initramfs_carries()
    {
        NetworkPlan.Modules.ShouldNotBeEmpty();
        foreach (var module in NetworkPlan.Modules)
            Lethe.Image.Modules.WantedModules.Network.Required.ShouldContain(module);
    }
}
