using Lethe.Core;
using Lethe.Machine.Network.Log;
using Lethe.Machine.Network.Policy;
using Lethe.Machine.Workstation;
using Lethe.Protocol;
using Lethe.Spec;

namespace Lethe.Machine.Network;

/// <summary>lethe net allow/deny: the client's request to a running machine's supervisor, and the supervisor's handling of it.</summary>
public static class PolicyControl
{
    /// <summary>Asks the supervisor of <paramref name="folder"/> to change its policy; returns what changed.</summary>
    public static async Task<string> ChangeAsync(MachineFolder folder, bool allow, EgressRule rule, CancellationToken stop)
    {
        var (stream, channel) = await MachineClient.ConnectAsync(folder, stop).ConfigureAwait(false);
        await using (stream)
        using (channel)
        {
            await channel.SendAsync(new ControlMessage { Type = allow ? MessageTypes.NetAllow : MessageTypes.NetDeny, Text = rule.ToString() }, stop).ConfigureAwait(false);
            var reply = await channel.ReceiveAsync(stop).ConfigureAwait(false);
            return reply?.Type switch
            {
                MessageTypes.Log => reply.Text ?? "",
                MessageTypes.Error => throw new LetheException(reply.Text ?? $"machine {folder.Name} refused the change"),
                _ => throw new LetheException($"machine {folder.Name} did not answer (was it started by an older lethe?)"),
            };
        }
    }

    /// <summary>The supervisor's side: applies the change to <paramref name="policy"/> (null: no network) and says what changed.</summary>
    public static ControlMessage Apply(PolicyEngine? policy, ControlMessage request, string machine)
    {
        if (policy is null)
            return ControlMessage.Failure($"machine {machine} has no network (network.mode: none)");
        if (!EgressRule.TryParse(request.Text ?? "", out var rule, out var error))
            return ControlMessage.Failure($"'{UntrustedText.ForLine(request.Text)}' {error}");
        var change = request.Type == MessageTypes.NetAllow ? policy.Allow(rule) : policy.Deny(rule);
        return ControlMessage.LogLine($"{(request.Type == MessageTypes.NetAllow ? "allow" : "deny")} {change.Rule}: {change.Description}");
    }

    /// <summary>The decisions in a workstation's log, followed while it runs when <paramref name="follow"/>.</summary>
    public static IAsyncEnumerable<DecisionRecord> ReadLogAsync(MachineFolder folder, bool follow, CancellationToken stop) =>
        DecisionLogReader.ReadAsync(DecisionLogFile.PathFor(folder), follow, folder.IsRunning, stop);
}
