using System.CommandLine;
using Lethe.Core;
using Lethe.Machine.Network;
using Lethe.Machine.Network.Log;
using Lethe.Spec;

namespace Lethe.Cli.Commands;

/// <summary>lethe net log | allow | deny: watch and change a machine's egress policy.</summary>
public static class NetCommands
{
    public static Command Create(CliConsole console)
    {
        var net = new Command("net", "Watch and change a machine's network egress policy");
        net.Subcommands.Add(Log(console));
        net.Subcommands.Add(Change(console, allow: true));
        net.Subcommands.Add(Change(console, allow: false));
        return net;
    }

    private static Command Log(CliConsole console)
    {
        var spec = SpecInput.CreateOption();
        var name = MachineInput.CreateNameArgument();
        var follow = new Option<bool>("--follow", "-f") { Description = "Keep printing decisions as they are made, until the machine stops" };
        var json = new Option<bool>("--json") { Description = "One JSON object per line, as the log keeps them" };
        var log = new Command("log", "Each decision of the egress policy: time, name, address, port, verdict, reason and bytes") { spec, name, follow, json };
        log.SetAction(async (parse, stop) =>
        {
            var folder = MachineInput.Folder(parse.GetValue(name), parse.GetValue(spec), console);
            if (!Directory.Exists(folder.Path))
                throw new LetheException($"no machine named {folder.Name}");
            var asJson = parse.GetValue(json);
            if (!asJson)
                console.Out.WriteLine(DecisionText.Header);
            await foreach (var record in PolicyControl.ReadLogAsync(folder, parse.GetValue(follow), stop).ConfigureAwait(false))
                console.Out.WriteLine(asJson ? DecisionJson.Line(record) : DecisionText.Row(record));
            return ExitCodes.Success;
        });
        return log;
    }

    private static Command Change(CliConsole console, bool allow)
    {
        var name = new Argument<string>("name") { Description = "The running machine" };
        var host = new Argument<string>("host") { Description = "HOST[:PORT]: a name, \"*.domain\", an IPv4 address or CIDR" };
        var command = new Command(allow ? "allow" : "deny", allow
            ? "Allow HOST[:PORT] on a running machine at once (a name without a port means 80 and 443)"
            : "Deny HOST[:PORT] on a running machine at once; denials win over allows (without a port: every port)")
        {
            name,
            host,
        };
        command.SetAction(async (parse, stop) =>
        {
            var folder = MachineInput.Folder(parse.GetValue(name), null, console);
            var text = parse.GetValue(host) ?? "";
            if (!EgressRule.TryParse(text, out var rule, out var error))
                throw new UsageException($"'{text}' {error}");
            console.Out.WriteLine(await PolicyControl.ChangeAsync(folder, allow, rule, stop).ConfigureAwait(false));
            return ExitCodes.Success;
        });
        return command;
    }
}
