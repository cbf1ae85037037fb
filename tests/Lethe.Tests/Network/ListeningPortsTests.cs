using Lethe.Protocol;

namespace Lethe.Tests.Network;

public sealed class ListeningPortsTests
{
    // Real lines (kernel 6.1): sshd on 0.0.0.0:22, a server on 127.0.0.1:8080, an established connection, garbage.
    private const string Tcp =
        "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n" +
        "   0: 00000000:0016 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1234 1 0000000000000000 100 0 0 10 0\n" +
        "   1: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 1235 1 0000000000000000 100 0 0 10 0\n" +
        "   2: 0F02000A:0016 0202000A:D431 01 00000000:00000000 02:0008F0E2 00000000     0        0 1236 4 0000000000000000 20 4 30 10 -1\n" +
        "   3: 0F02000A:0BB8 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 1237 1 0000000000000000 100 0 0 10 0\n" +
        "garbage line\n   4: zzzzzzzz:0050 00000000:0000 0A\n   5: 00000000:0000 00000000:0000 0A\n   6: 00000000:12345 00000000:0000 0A\n\n";

    private const string Tcp6 =
        "  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n" +
        "   0: 00000000000000000000000000000000:0BB9 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 1 1\n" +
        "   1: 00000000000000000000000001000000:0BBA 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 2 1\n" +
        "   2: 0000000000000000FFFF00000100007F:0BBB 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 3 1\n" +
        "   3: 00000000000000000000000000000000:0BBC 00000000000000000000000000000000:0000 06 00000000:00000000 00:00000000 00000000  1000        0 4 1\n";

    [Fact]
    public void Listen_sockets_on_any_ipv4_address_are_found_and_everything_else_is_skipped()
    {
        ListeningPorts.InTable(Tcp, ipv6: false).ShouldBe([22, 8080, 3000]);
    }

    [Fact]
    public void Ipv6_listeners_count_when_ipv4_can_reach_them()
    {
        // :: (dual stack) and ::ffff:127.0.0.1 yes; ::1 only, and a socket not listening, no.
        ListeningPorts.InTable(Tcp6, ipv6: true).ShouldBe([3001, 3003]);
        // An IPv4 table's line is not read as IPv6, nor the other way round.
        ListeningPorts.InTable(Tcp, ipv6: true).ShouldBeEmpty();
        ListeningPorts.InTable(Tcp6, ipv6: false).ShouldBeEmpty();
    }

    [Fact]
    public void Garbage_yields_nothing_rather_than_failing()
    {
        ListeningPorts.InTable("", ipv6: false).ShouldBeEmpty();
        ListeningPorts.InTable("\0\0\0 : : 0A\n:::: 0A 0A 0A", ipv6: false).ShouldBeEmpty();
        ListeningPorts.InTable(new string('x', 100_000), ipv6: true).ShouldBeEmpty();
    }

    [Fact]
    public void The_report_is_ordered_distinct_without_ephemeral_ports_and_capped()
    {
        ListeningPorts.Report([8080, 22, 8080, 40000, 0, 70000], 32768, 60999).ShouldBe([22, 8080]);
        ListeningPorts.Report(Enumerable.Range(1, 1000), 32768, 60999).Count.ShouldBe(ListeningPorts.MaxPorts);
        ListeningPorts.Report(Enumerable.Range(1, 1000), 32768, 60999)[0].ShouldBe(1);
    }

    [Theory]
    [InlineData("32768\t60999\n", 32768, 60999)]
    [InlineData("1024 2048", 1024, 2048)]
    [InlineData("nonsense", 32768, 60999)]
    [InlineData("5000\t4000", 32768, 60999)]
    public void The_ephemeral_range(string text, int low, int high) => ListeningPorts.EphemeralRange(text).ShouldBe((low, high));

    [Fact]
    public void The_host_takes_a_well_formed_report_in_order_without_duplicates()
    {
        ListeningPorts.FromMessage(ControlMessage.Listening([8080, 22, 22])).ShouldBe([22, 8080]);
        ListeningPorts.FromMessage(ControlMessage.Listening([])).ShouldBe([]);
        ListeningPorts.FromMessage(ControlMessage.Listening([1, 65535])).ShouldBe([1, 65535]);
    }

    [Fact]
    public void The_host_ignores_a_hostile_report_whole()
    {
        ListeningPorts.FromMessage(ControlMessage.Listening([80, 0])).ShouldBeNull();
        ListeningPorts.FromMessage(ControlMessage.Listening([80, 65536])).ShouldBeNull();
        ListeningPorts.FromMessage(ControlMessage.Listening([-1])).ShouldBeNull();
        ListeningPorts.FromMessage(ControlMessage.Listening([.. Enumerable.Range(1, ListeningPorts.MaxPorts + 1)])).ShouldBeNull();
        ListeningPorts.FromMessage(new ControlMessage { Type = MessageTypes.Listening }).ShouldBeNull();
        ListeningPorts.FromMessage(ControlMessage.Exited(0) with { Ports = [80] }).ShouldBeNull();
    }

    [Fact]
    public void A_report_survives_the_wire_and_a_malformed_one_does_not_parse()
    {
        var line = ProtocolJson.Serialize(ControlMessage.Listening([22, 8080]));
        ListeningPorts.FromMessage(ControlChannel.TryParse(line).ShouldNotBeNull()).ShouldBe([22, 8080]);
        ControlChannel.TryParse("{\"type\":\"listening\",\"ports\":[\"80\"]}").ShouldBeNull();
        ControlChannel.TryParse("{\"type\":\"listening\",\"ports\":[1e99]}").ShouldBeNull();
    }
}
