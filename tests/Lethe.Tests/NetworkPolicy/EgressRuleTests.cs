using System.Net;
using Lethe.Spec;

namespace Lethe.Tests.NetworkPolicy;

public sealed class EgressRuleTests
{
    private static EgressRule Rule(string text)
    {
        EgressRule.TryParse(text, out var rule, out var error).ShouldBeTrue(error);
        return rule;
    }

    [Theory]
    [InlineData("GitHub.COM.", "github.com")]
    [InlineData(" github.com ", "github.com")]
    [InlineData("*.Debian.Org", "*.debian.org")]
    [InlineData("github.com:22", "github.com:22")]
    [InlineData("140.82.112.0/20", "140.82.112.0/20")]
    [InlineData("10.1.2.3:8080", "10.1.2.3:8080")]
    [InlineData("10.1.2.3/32", "10.1.2.3")]
    [InlineData("0.0.0.0/0", "0.0.0.0/0")]
    [InlineData("my_host", "my_host")]
    public void Rules_are_normalised(string written, string canonical) => Rule(written).ToString().ShouldBe(canonical);

    [Fact]
    public void Names_match_case_insensitively_once_normalised()
    {
        var rule = Rule("GitHub.com");
        rule.CoversName(EgressRule.NormalizeName("GITHUB.COM.")).ShouldBeTrue();
        rule.CoversName("api.github.com").ShouldBeFalse();
        rule.CoversName("github.com.evil.net").ShouldBeFalse();
        rule.CoversName("evilgithub.com").ShouldBeFalse();
    }

    [Fact]
    public void A_wildcard_matches_subdomains_at_any_depth_but_not_the_apex()
    {
        var rule = Rule("*.debian.org");
        rule.CoversName("deb.debian.org").ShouldBeTrue();
        rule.CoversName("a.b.debian.org").ShouldBeTrue();
        rule.CoversName("debian.org").ShouldBeFalse();
        rule.CoversName("evildebian.org").ShouldBeFalse();
        rule.CoversName("debian.org.evil.net").ShouldBeFalse();
    }

    [Fact]
    public void A_name_without_a_port_means_80_and_443_and_an_address_every_port()
    {
        var name = Rule("github.com");
        name.CoversPort(80, portlessMeansWeb: true).ShouldBeTrue();
        name.CoversPort(443, portlessMeansWeb: true).ShouldBeTrue();
        name.CoversPort(22, portlessMeansWeb: true).ShouldBeFalse();
        name.NeedsInspection.ShouldBeTrue();

        var ssh = Rule("github.com:22");
        ssh.CoversPort(22, portlessMeansWeb: true).ShouldBeTrue();
        ssh.CoversPort(443, portlessMeansWeb: true).ShouldBeFalse();
        ssh.NeedsInspection.ShouldBeFalse();

        Rule("140.82.112.0/20").NeedsInspection.ShouldBeFalse();
    }

    [Theory]
    [InlineData("140.82.112.0/20", "140.82.112.0", true)]
    [InlineData("140.82.112.0/20", "140.82.127.255", true)]
    [InlineData("140.82.112.0/20", "140.82.128.0", false)]
    [InlineData("140.82.112.0/20", "140.82.111.255", false)]
    [InlineData("10.1.2.3", "10.1.2.3", true)]
    [InlineData("10.1.2.3", "10.1.2.4", false)]
    [InlineData("0.0.0.0/0", "8.8.8.8", true)]
    [InlineData("github.com", "140.82.112.3", false)]
    public void Address_rules_cover_their_network(string rule, string address, bool covered) =>
        Rule(rule).CoversAddress(IPAddress.Parse(address)).ShouldBe(covered);

    [Fact]
    public void An_ipv6_address_is_covered_by_no_rule() =>
        Rule("0.0.0.0/0").CoversAddress(IPAddress.IPv6Loopback).ShouldBeFalse();

    [Theory]
    [InlineData("")]
    [InlineData("0x7f.0.0.1")]
    [InlineData("127.1")]
    [InlineData("010.0.0.1")]
    [InlineData("a..b")]
    [InlineData("-")]
    [InlineData("exa mple.com")]
    [InlineData("[::1]:22")]
    [InlineData("github.com:")]
    [InlineData("github.com:-1")]
    [InlineData("*.*.example.com")]
    public void Ambiguous_or_wrong_text_is_refused(string text) => EgressRule.TryParse(text, out _, out _).ShouldBeFalse();

    [Fact]
    public void A_label_over_63_or_a_name_over_253_is_refused()
    {
        EgressRule.TryParse(new string('a', 63) + ".com", out _, out _).ShouldBeTrue();
        EgressRule.TryParse(new string('a', 64) + ".com", out _, out _).ShouldBeFalse();
        EgressRule.TryParse(string.Join('.', Enumerable.Repeat("abcdefghi", 26)), out _, out _).ShouldBeFalse();
    }
}
