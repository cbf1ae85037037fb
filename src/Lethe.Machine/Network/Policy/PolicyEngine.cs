using System.Net;
using Lethe.Machine.Network.Dns;
using Lethe.Machine.Network.Log;
using Lethe.Spec;

namespace Lethe.Machine.Network.Policy;

/// <summary>What lethe net allow/deny changed.</summary>
public sealed record PolicyChange(EgressRule Rule, bool Changed, string Description);

/// <summary>
/// One machine's egress policy, as the gateway asks it: the rules (changeable while the machine runs), the
/// names its DNS answers bound to addresses, and the decision log. Thread-safe: the gateway calls it from its
/// loop, the supervisor from its socket handler. The decisions themselves are <see cref="EgressDecisions"/>'.
/// </summary>
public sealed class PolicyEngine : IGatewayPolicy
{
    public const uint AnswerTtlSeconds = 30;
    public static readonly TimeSpan ResolveTimeout = TimeSpan.FromSeconds(5);
    private const int MaxConcurrentLookups = 16;

    private readonly object _gate = new();
    private readonly PolicyHost _host;
    private readonly DeniedRanges _denied;
    private readonly NameBindings _bindings = new();
    private readonly SemaphoreSlim _lookups = new(MaxConcurrentLookups, MaxConcurrentLookups);
    private PolicyRules _rules;

    private PolicyEngine(PolicyRules rules, PolicyHost host)
    {
        _rules = rules;
        _host = host;
        _denied = new DeniedRanges(host.HostAddresses);
    }

    public static PolicyEngine Create(NetworkSpec spec, PolicyHost host) => new(PolicyRules.From(spec), host);

    public PolicyRules Rules
    {
        get
        {
            lock (_gate)
                return _rules;
        }
    }

    public PolicyChange Allow(EgressRule rule) => Change(rule, allow: true);

    public PolicyChange Deny(EgressRule rule) => Change(rule, allow: false);

    public async ValueTask<byte[]?> AnswerDnsAsync(ReadOnlyMemory<byte> query, CancellationToken cancellationToken)
    {
        var parsed = DnsQuery.Parse(query.Span);
        switch (parsed.Outcome)
        {
            case DnsParseOutcome.Drop:
                Record(DecisionProtocols.Dns, DecisionVerdicts.Drop, $"dropped: {parsed.Problem}");
                return null;
            case DnsParseOutcome.Error:
                Record(DecisionProtocols.Dns, DecisionVerdicts.FormErr, $"malformed query: {parsed.Problem}");
                return DnsResponse.For(parsed, parsed.ErrorCode);
        }

        var name = EgressRule.NormalizeName(parsed.Name);
        if (!EgressRule.IsValidName(name))
            return Answer(parsed, name, DnsResponse.NameError, DecisionVerdicts.NxDomain, "not a host name; not resolved");
        NameDecision decision;
        lock (_gate)
            decision = EgressDecisions.DecideName(_rules, name);
        if (!decision.Allowed)
            return Answer(parsed, name, DnsResponse.NameError, DecisionVerdicts.NxDomain, $"{decision.Reason}; not resolved");
        if (parsed.Type != DnsQuery.TypeA || parsed.Class != DnsQuery.ClassIn)
            return Answer(parsed, name, DnsResponse.NoError, DecisionVerdicts.Empty, $"type {parsed.Type}: only A records are answered (IPv4 only)");

        IReadOnlyList<IPAddress> resolved;
        try
        {
            resolved = await ResolveAsync(name, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            var why = e is OperationCanceledException ? $"the host's resolver took longer than {ResolveTimeout.TotalSeconds:0} s" : $"the host's resolver failed: {e.Message}";
            return Answer(parsed, name, DnsResponse.ServerFailure, DecisionVerdicts.ServFail, why);
        }
        if (resolved.Count == 0)
            return Answer(parsed, name, DnsResponse.NameError, DecisionVerdicts.NxDomain, "the host's resolver has no IPv4 address for it");

        List<AnswerDecision> answers;
        lock (_gate)
        {
            answers = [.. resolved.Distinct().Select(address => EgressDecisions.DecideAnswer(_rules, _denied, address))];
            foreach (var answer in answers.Where(a => a.GuestAddress is not null))
                _bindings.Bind(answer.HostAddress, name);
        }
        var kept = answers.Where(a => a.GuestAddress is not null).ToList();
        var dropped = answers.Where(a => a.GuestAddress is null).Select(a => a.Reason).ToList();
        if (kept.Count == 0)
            return Answer(parsed, name, DnsResponse.Refused, DecisionVerdicts.Refused, $"every address dropped: {string.Join("; ", dropped)}",
                string.Join(" ", answers.Select(a => a.HostAddress)));
        var reason = dropped.Count == 0 ? decision.Reason : $"{decision.Reason}; dropped: {string.Join("; ", dropped)}";
        return Answer(parsed, name, DnsResponse.NoError, DecisionVerdicts.Answer, reason,
            string.Join(" ", kept.Select(a => a.HostAddress)), [.. kept.Select(a => a.GuestAddress!).Distinct()]);
    }

    public ConnectDecision DecideConnect(Flow flow)
    {
        flow = Plain(flow);
        if (flow.Protocol != FlowProtocol.Tcp)
            return new ConnectDecision(ConnectVerdict.Deny, "only TCP connects");
        IReadOnlyList<string> names;
        ConnectDecision decision;
        lock (_gate)
        {
            names = _bindings.NamesOf(flow.Destination);
            decision = EgressDecisions.DecideConnect(_rules, _denied, names, flow.Destination, flow.Port);
        }
        var verdict = decision.Verdict switch
        {
            ConnectVerdict.Allow => DecisionVerdicts.Allow,
            ConnectVerdict.Inspect => DecisionVerdicts.Inspect,
            _ => DecisionVerdicts.Deny,
        };
        Record(DecisionProtocols.Tcp, verdict, decision.Reason, flow, names);
        return decision;
    }

    public InspectDecision DecideFirstBytes(Flow flow, ReadOnlySpan<byte> firstBytes)
    {
        flow = Plain(flow);
        IReadOnlyList<string> names;
        InspectDecision decision;
        lock (_gate)
        {
            names = _bindings.NamesOf(flow.Destination);
            decision = EgressDecisions.DecideFirstBytes(_rules, names, flow.Destination, flow.Port, firstBytes);
        }
        if (decision.Verdict != InspectVerdict.NeedMore)
            Record(DecisionProtocols.Tcp, decision.Verdict == InspectVerdict.Allow ? DecisionVerdicts.Allow : DecisionVerdicts.Deny,
                decision.Reason, flow, names);
        return decision;
    }

    public void UdpRefused(Flow flow) =>
        Record(DecisionProtocols.Udp, DecisionVerdicts.Deny, $"{flow.Destination}:{flow.Port}: UDP other than DNS to the gateway is refused", flow, []);

    public void Closed(Flow flow, long bytesFromGuest, long bytesToGuest) => _host.Log.Write(new DecisionRecord
    {
        Time = _host.Clock.GetUtcNow(),
        Protocol = DecisionProtocols.Tcp,
        Verdict = DecisionVerdicts.Close,
        Reason = "closed",
        Address = flow.Destination.ToString(),
        Port = flow.Port,
        Flow = flow.Id,
        BytesFromGuest = bytesFromGuest,
        BytesToGuest = bytesToGuest,
    });

    /// <summary>The bindings hold plain IPv4 addresses: an IPv4-mapped IPv6 destination is looked up as its IPv4 address.</summary>
    private static Flow Plain(Flow flow) =>
        flow.Destination.IsIPv4MappedToIPv6 ? flow with { Destination = flow.Destination.MapToIPv4() } : flow;

    private PolicyChange Change(EgressRule rule, bool allow)
    {
        PolicyChange change;
        lock (_gate)
        {
            var before = _rules;
            _rules = allow ? _rules.WithAllowed(rule) : _rules.WithDenied(rule);
            change = new PolicyChange(rule, _rules != before, Describe(before, _rules, rule, allow));
        }
        Record(DecisionProtocols.Policy, allow ? DecisionVerdicts.Allow : DecisionVerdicts.Deny, $"lethe net {(allow ? "allow" : "deny")} {rule}: {change.Description}");
        return change;
    }

    private static string Describe(PolicyRules before, PolicyRules after, EgressRule rule, bool allow)
    {
        if (!allow)
            return after == before ? "already denied" : "denied from now on (connections already open stay open)";
        var parts = new List<string>();
        if (after.Deny.Count < before.Deny.Count)
            parts.Add("its deny rule removed");
        if (after.Egress != before.Egress)
            parts.Add("added to egress");
        if (after.Allow != before.Allow)
            parts.Add("exempt from the denied ranges");
        if (parts.Count == 0)
            parts.Add(after.IsOpen && !rule.IsAddressRule ? "egress is open: already allowed" : "already allowed");
        if (after.Deny.FirstOrDefault(deny => StillDenies(deny, rule)) is { } still)
            parts.Add($"but deny rule {still} still wins");
        return string.Join(", ", parts);
    }

    private static bool StillDenies(EgressRule deny, EgressRule allowed)
    {
        if (deny.Port is { } port && port != allowed.Port)
            return false;
        return allowed.IsAddressRule
            ? deny.CoversAddress(Ipv4.ToAddress(allowed.Network))
            : deny == allowed with { Port = deny.Port } || (allowed.Kind == EgressRuleKind.Name && deny.CoversName(allowed.Name!));
    }

    private async Task<IReadOnlyList<IPAddress>> ResolveAsync(string name, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(ResolveTimeout);
        await _lookups.WaitAsync(timeout.Token).ConfigureAwait(false);
        Task<IReadOnlyList<IPAddress>> lookup;
        try
        {
            lookup = _host.Resolver.ResolveAsync(name, timeout.Token);
        }
        catch
        {
            _lookups.Release();
            throw;
        }
        // getaddrinfo cannot be cancelled: a lookup given up on keeps its slot until it really ends, so a guest
        // that floods slow names holds at most MaxConcurrentLookups of the host's threads.
        _ = lookup.ContinueWith(_ => _lookups.Release(), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        return await lookup.WaitAsync(timeout.Token).ConfigureAwait(false);
    }

    private byte[] Answer(DnsQuery query, string name, byte code, string verdict, string reason, string? address = null, IReadOnlyList<IPAddress>? addresses = null)
    {
        _host.Log.Write(new DecisionRecord
        {
            Time = _host.Clock.GetUtcNow(),
            Protocol = DecisionProtocols.Dns,
            Verdict = verdict,
            Reason = reason,
            Names = [name],
            Address = address,
        });
        return DnsResponse.For(query, code, addresses, AnswerTtlSeconds);
    }

    private void Record(string protocol, string verdict, string reason, Flow? flow = null, IReadOnlyList<string>? names = null) =>
        _host.Log.Write(new DecisionRecord
        {
            Time = _host.Clock.GetUtcNow(),
            Protocol = protocol,
            Verdict = verdict,
            Reason = reason,
            Names = names ?? [],
            Address = flow?.Destination.ToString(),
            Port = flow?.Port,
            Flow = flow?.Id,
        });
}
