using System.Text;
using Lethe.Machine.Network;
using Lethe.Machine.Network.Policy;

namespace Lethe.Tests.NetworkPolicy;

/// <summary>Reading SNI and Host, and the inspection verdicts on an allowed name's web ports.</summary>
public sealed class FirstBytesTests
{
    private static readonly Dictionary<string, string[]> Names = new()
    {
        ["github.com"] = ["140.82.112.3"],
        ["api.github.com"] = ["140.82.112.3"],
        ["evil.example"] = ["140.82.112.3"],
        ["pypi.org"] = ["151.101.0.223"],
    };

    [Fact(Timeout = 20_000)]
    public async Task A_real_client_hello_names_its_sni()
    {
        var hello = await ClientHellos.CaptureAsync("GitHub.com");
        var read = FirstBytes.Read(hello);
        (read.Kind, read.Name, read.Protocol).ShouldBe((FirstBytesKind.Name, "github.com", "tls"));
    }

    [Fact(Timeout = 20_000)]
    public async Task Every_prefix_of_a_client_hello_asks_for_more()
    {
        var hello = await ClientHellos.CaptureAsync("github.com");
        for (var length = 0; length < hello.Length; length++)
            FirstBytes.Read(hello.AsSpan(0, length)).Kind.ShouldBe(FirstBytesKind.NeedMore, $"after {length} bytes");
    }

    [Fact(Timeout = 20_000)]
    public async Task A_client_hello_split_across_records_is_read_whole()
    {
        var hello = await ClientHellos.CaptureAsync("pypi.org");
        foreach (var split in new[] { 1, 3, 40, 100 })
            FirstBytes.Read(ClientHellos.SplitIntoTwoRecords(hello, split)).Name.ShouldBe("pypi.org");
    }

    [Fact(Timeout = 20_000)]
    public async Task A_client_hello_to_a_raw_ip_names_nothing_and_is_denied()
    {
        var policy = await AllowedGithubAsync();
        var hello = await ClientHellos.CaptureAsync("140.82.112.3");
        FirstBytes.Read(hello).Kind.ShouldBe(FirstBytesKind.NoName);
        Inspect(policy, hello).ShouldBe(InspectVerdict.Deny);
    }

    [Fact(Timeout = 20_000)]
    public async Task An_allowed_sni_bound_to_the_address_passes()
    {
        var policy = await AllowedGithubAsync();
        Inspect(policy, await ClientHellos.CaptureAsync("github.com")).ShouldBe(InspectVerdict.Allow);
        policy.Log.Records.Last().Reason.ShouldBe("SNI github.com: rule github.com");
    }

    [Fact(Timeout = 20_000)]
    public async Task A_mismatched_sni_is_denied_even_on_an_address_an_allowed_name_resolved_to()
    {
        var policy = await AllowedGithubAsync();
        await policy.AskAsync("evil.example"); // NXDOMAIN: never bound
        Inspect(policy, await ClientHellos.CaptureAsync("evil.example")).ShouldBe(InspectVerdict.Deny);
        policy.Log.Records.Last().Reason.ShouldContain("no rule allows it");
    }

    [Fact(Timeout = 20_000)]
    public async Task An_allowed_sni_that_lethe_did_not_resolve_to_this_address_is_fronting()
    {
        var policy = new PolicyFixture("network: {egress: [github.com, pypi.org]}", Names);
        await policy.AskAsync("github.com");
        // pypi.org is allowed, but lethe never resolved it to github's address.
        Inspect(policy, await ClientHellos.CaptureAsync("pypi.org")).ShouldBe(InspectVerdict.Deny);
        policy.Log.Records.Last().Reason.ShouldContain("fronting");
    }

    [Fact(Timeout = 20_000)]
    public async Task A_denied_sni_is_denied_although_a_wildcard_allows_it()
    {
        var policy = new PolicyFixture("network: {egress: [\"*.github.com\", github.com]}", Names);
        await policy.AskAsync("api.github.com");
        policy.Engine.Deny(ConnectDecisionTests.Rule("api.github.com"));
        Inspect(policy, await ClientHellos.CaptureAsync("api.github.com")).ShouldBe(InspectVerdict.Deny);
    }

    [Theory]
    [InlineData("GET / HTTP/1.1\r\nHost: GitHub.com\r\nAccept: */*\r\n\r\n", "github.com")]
    [InlineData("GET / HTTP/1.1\r\nhost:github.com:80\r\n\r\n", "github.com")]
    [InlineData("POST /x HTTP/1.0\r\nUser-Agent: curl\r\nHOST: github.com.\r\n\r\nbody", "github.com")]
    [InlineData("GET http://github.com/x HTTP/1.1\r\nHost: github.com\r\n\r\n", "github.com")]
    public void An_http_request_names_its_host(string request, string host)
    {
        var read = FirstBytes.Read(Encoding.ASCII.GetBytes(request));
        (read.Kind, read.Name).ShouldBe((FirstBytesKind.Name, host));
    }

    [Theory]
    [InlineData("GET / HTTP/1.1\r\nHost: github.com\r\nHost: evil.example\r\n\r\n", FirstBytesKind.Malformed)]
    [InlineData("GET http://evil.example/ HTTP/1.1\r\nHost: github.com\r\n\r\n", FirstBytesKind.Malformed)]
    [InlineData("GET / HTTP/1.1\r\nHost : github.com\r\n\r\n", FirstBytesKind.Malformed)]
    [InlineData("GET / HTTP/1.1\r\nX: a\r\n Host: evil.example\r\n\r\n", FirstBytesKind.Malformed)]
    [InlineData("GET / HTTP/1.1\nHost: github.com\n\n", FirstBytesKind.Malformed)]
    [InlineData("GET / HTTP/1.1\r\nHost: github.com\rX: y\r\n\r\n", FirstBytesKind.Malformed)]
    [InlineData("GET / HTTP/1.1\r\nHost: 140.82.112.3\r\n\r\n", FirstBytesKind.Malformed)]
    [InlineData("GET / HTTP/1.1\r\nHost: [::1]\r\n\r\n", FirstBytesKind.Malformed)]
    [InlineData("GET / HTTP/1.1\r\nHost: user@github.com\r\n\r\n", FirstBytesKind.Malformed)]
    [InlineData("CONNECT evil.example:443 HTTP/1.1\r\nHost: github.com\r\n\r\n", FirstBytesKind.Malformed)]
    [InlineData("GET / HTTP/1.1\r\nAccept: */*\r\n\r\n", FirstBytesKind.NoName)]
    [InlineData("GET / HTTP/1.1\r\nHost: github.com\r\n", FirstBytesKind.NeedMore)]
    [InlineData("GE", FirstBytesKind.NeedMore)]
    [InlineData("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", FirstBytesKind.Malformed)]
    [InlineData("SSH-2.0-OpenSSH_9.2\r\n", FirstBytesKind.Unknown)]
    [InlineData("\u0000\u0001binary", FirstBytesKind.Unknown)]
    public void Ambiguous_or_foreign_requests_name_no_host(string request, FirstBytesKind kind) =>
        FirstBytes.Read(Encoding.Latin1.GetBytes(request)).Kind.ShouldBe(kind);

    [Fact(Timeout = 20_000)]
    public async Task Http_with_a_mismatched_host_is_denied_and_a_matching_one_allowed()
    {
        var policy = await AllowedGithubAsync();
        Inspect(policy, "GET / HTTP/1.1\r\nHost: evil.example\r\n\r\n"u8.ToArray(), 80).ShouldBe(InspectVerdict.Deny);
        Inspect(policy, "GET / HTTP/1.1\r\nHost: github.com\r\n\r\n"u8.ToArray(), 80).ShouldBe(InspectVerdict.Allow);
        Inspect(policy, "SSH-2.0-OpenSSH_9.2\r\n"u8.ToArray(), 443).ShouldBe(InspectVerdict.Deny);
    }

    [Fact]
    public void Hostile_tls_lengths_never_throw()
    {
        var random = new Random(8);
        var buffer = new byte[600];
        for (var i = 0; i < 20000; i++)
        {
            random.NextBytes(buffer);
            buffer[0] = 22;
            buffer[1] = 3;
            buffer[5] = 1;
            var length = random.Next(buffer.Length);
            Should.NotThrow(() => FirstBytes.Read(buffer.AsSpan(0, length)));
        }
    }

    [Fact]
    public void Two_server_names_are_malformed()
    {
        byte[] sni = [.. "\u0000\u0000"u8, .. Sni("a.example"), .. "\u0000\u0000"u8, .. Sni("b.example")];
        var hello = BuildHello(sni.Length == 0 ? [] : sni);
        FirstBytes.Read(hello).Kind.ShouldBe(FirstBytesKind.Malformed);
        FirstBytes.Read(BuildHello([.. "\u0000\u0000"u8, .. Sni("a.example")])).Name.ShouldBe("a.example");
    }

    private static byte[] Sni(string name)
    {
        var bytes = Encoding.ASCII.GetBytes(name);
        byte[] entry = [0, (byte)(bytes.Length >> 8), (byte)bytes.Length, .. bytes];
        byte[] list = [(byte)(entry.Length >> 8), (byte)entry.Length, .. entry];
        return [(byte)(list.Length >> 8), (byte)list.Length, .. list];
    }

    /// <summary>A minimal ClientHello around the given extension bytes.</summary>
    private static byte[] BuildHello(byte[] extensions)
    {
        byte[] body = [3, 3, .. new byte[32], 0, 0, 2, 0x13, 0x01, 1, 0, (byte)(extensions.Length >> 8), (byte)extensions.Length, .. extensions];
        byte[] handshake = [1, 0, (byte)(body.Length >> 8), (byte)body.Length, .. body];
        return [22, 3, 1, (byte)(handshake.Length >> 8), (byte)handshake.Length, .. handshake];
    }

    private static async Task<PolicyFixture> AllowedGithubAsync()
    {
        var policy = new PolicyFixture("network: {egress: [github.com, \"*.github.com\"]}", Names);
        (await policy.ResolveAndConnectAsync("github.com", 443)).Verdict.ShouldBe(ConnectVerdict.Inspect);
        return policy;
    }

    private static InspectVerdict Inspect(PolicyFixture policy, byte[] bytes, int port = 443) =>
        policy.Engine.DecideFirstBytes(policy.Tcp("140.82.112.3", port), bytes).Verdict;
}
