using Lethe.Machine.Network.Dns;

namespace Lethe.Tests.NetworkPolicy;

/// <summary>The guest's DNS queries are hostile input: every malformed packet gets an error or is dropped, never an exception.</summary>
public sealed class DnsCodecTests
{
    [Fact]
    public void A_query_is_read_with_its_id_name_and_type()
    {
        var query = DnsQuery.Parse(DnsPackets.Query("Deb.Debian.org", DnsQuery.TypeAaaa, id: 0xBEEF));
        (query.Outcome, query.Id, query.Name, query.Type, query.Class, query.RecursionDesired)
            .ShouldBe((DnsParseOutcome.Query, (ushort)0xBEEF, "Deb.Debian.org", DnsQuery.TypeAaaa, DnsQuery.ClassIn, true));
    }

    [Fact]
    public void A_response_echoes_the_question_and_carries_a_records()
    {
        var query = DnsQuery.Parse(DnsPackets.Query("github.com", id: 7));
        var answer = DnsAnswer.Read(DnsResponse.For(query, DnsResponse.NoError, [System.Net.IPAddress.Parse("140.82.112.3")], 30));
        answer.ShouldBe(answer with { Id = 7, Code = 0, IsResponse = true, QuestionName = "github.com", Ttl = 30 });
        answer.Addresses.ShouldBe([System.Net.IPAddress.Parse("140.82.112.3")]);
    }

    [Theory]
    [InlineData(new byte[] { 0xC0, 12, 0, 1, 0, 1 }, "points at itself")]
    [InlineData(new byte[] { 0xC0, 14, 0, 1, 0, 1 }, "points forwards")]
    [InlineData(new byte[] { 0xC0, 2, 0, 1, 0, 1 }, "points into the header")]
    [InlineData(new byte[] { 0xC0 }, "pointer cut short")]
    [InlineData(new byte[] { 5, (byte)'a', (byte)'b' }, "label past the end")]
    [InlineData(new byte[] { 1, (byte)'a' }, "no terminating zero")]
    [InlineData(new byte[] { 1, (byte)'a', 0 }, "no type and class")]
    [InlineData(new byte[] { 0x40, 0, 0, 1, 0, 1 }, "extended label type")]
    [InlineData(new byte[] { 0x80, 0, 0, 1, 0, 1 }, "reserved label type")]
    [InlineData(new byte[] { 3, (byte)'a', (byte)'.', (byte)'b', 0, 0, 1, 0, 1 }, "a dot inside a label")]
    public void Broken_names_are_format_errors(byte[] question, string why)
    {
        var query = DnsQuery.Parse(DnsPackets.Raw(question));
        query.Outcome.ShouldBe(DnsParseOutcome.Error, why);
        query.ErrorCode.ShouldBe(DnsResponse.FormatError);
        var answer = DnsAnswer.Read(DnsResponse.For(query, query.ErrorCode));
        (answer.Id, answer.Code, answer.QuestionName).ShouldBe(((ushort)0xABCD, 1, ""));
    }

    [Fact]
    public void A_name_over_255_bytes_is_a_format_error()
    {
        var labels = Enumerable.Repeat<byte[]>([63, .. Enumerable.Repeat((byte)'a', 63)], 4).SelectMany(l => l);
        var query = DnsQuery.Parse(DnsPackets.Raw([.. labels, 0, 0, 1, 0, 1]));
        (query.Outcome, query.Problem).ShouldBe((DnsParseOutcome.Error, "a name longer than 255 bytes"));
    }

    [Fact]
    public void A_pointer_back_into_the_name_being_read_is_a_loop_and_refused()
    {
        // "x", then a pointer to the "x": read naively, x.x.x.x... until something else stops it.
        var query = DnsQuery.Parse(DnsPackets.Raw(1, (byte)'x', 0xC0, 12, 0, 1, 0, 1));
        (query.Outcome, query.Problem).ShouldBe((DnsParseOutcome.Error, "a compression pointer that does not point backwards"));
    }

    [Fact]
    public void Short_packets_and_responses_are_dropped_other_opcodes_and_counts_refused()
    {
        DnsQuery.Parse([1, 2, 3]).Outcome.ShouldBe(DnsParseOutcome.Drop);
        var response = DnsPackets.Query("github.com");
        response[2] |= 0x80;
        DnsQuery.Parse(response).Outcome.ShouldBe(DnsParseOutcome.Drop);

        var notify = DnsPackets.Query("github.com");
        notify[2] |= 4 << 3;
        (DnsQuery.Parse(notify).Outcome, DnsQuery.Parse(notify).ErrorCode).ShouldBe((DnsParseOutcome.Error, DnsResponse.NotImplemented));

        var two = DnsPackets.Query("github.com");
        two[5] = 2;
        DnsQuery.Parse(two).ErrorCode.ShouldBe(DnsResponse.FormatError);
    }

    [Fact]
    public void Random_packets_never_throw_and_every_answer_is_a_well_formed_response()
    {
        var random = new Random(53);
        for (var i = 0; i < 50000; i++)
        {
            var packet = new byte[random.Next(0, 80)];
            random.NextBytes(packet);
            if (packet.Length > 5)
            {
                packet[2] &= 0x07;
                packet[4] = 0;
                packet[5] = 1;
            }
            var query = DnsQuery.Parse(packet);
            if (query.Outcome != DnsParseOutcome.Drop)
                DnsAnswer.Read(DnsResponse.For(query, DnsResponse.NameError)).IsResponse.ShouldBeTrue();
        }
    }
}
