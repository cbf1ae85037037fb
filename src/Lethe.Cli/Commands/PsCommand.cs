using System.CommandLine;
using System.Text.Json;
using Lethe.Core;
using Lethe.Machine.Generations;
using Lethe.Machine.Workstation;
using Lethe.Protocol;

namespace Lethe.Cli.Commands;

/// <summary>lethe ps [--json]: every known machine and its state.</summary>
public static class PsCommand
{
    public sealed record Row(string Name, string State, int? Pid, long? UptimeSeconds, string? Image, IReadOnlyList<string> Ports, string Persist, string? Scratch,
        int? Generation = null, string? Waiting = null);

    public static Command Create(CliConsole console)
    {
        var json = new Option<bool>("--json") { Description = "Machine-readable output" };
        var ps = new Command("ps", "List machines: state, pid, uptime, image, ports, persist disk, scratch") { json };
        ps.SetAction(parse =>
        {
            var rows = Rows(LethePaths.FromEnvironment(), DateTimeOffset.UtcNow);
            if (parse.GetValue(json))
            {
                console.Out.WriteLine(JsonSerializer.Serialize(rows, new JsonSerializerOptions { PropertyNamingPolicy = JsonNamingPolicy.CamelCase, WriteIndented = true }));
                return ExitCodes.Success;
            }
            console.Out.WriteLine($"{"NAME",-16} {"STATE",-10} {"PID",-8} {"UPTIME",-8} {"IMAGE",-14} {"PORTS",-6} PERSIST");
            // The status file holds text that came from the guest (the scratch fallback's reason): shown cleaned.
            foreach (var r in rows)
            {
                console.Out.WriteLine(UntrustedText.ForLine($"{r.Name,-16} {r.State,-10} {r.Pid?.ToString() ?? "-",-8} {Uptime(r.UptimeSeconds),-8} {r.Image?[..Math.Min(12, r.Image.Length)] ?? "-",-14} {(r.Ports.Count == 0 ? "-" : string.Join(',', r.Ports)),-6} {r.Persist}{(r.Scratch is null ? "" : "  scratch " + r.Scratch)}{(r.Generation is { } generation ? $"  generation {generation}" : "")}"));
                if (r.Waiting is { } waiting)
                    console.Out.WriteLine(UntrustedText.ForLine($"{"",-16} {waiting}"));
            }
            return ExitCodes.Success;
        });
        return ps;
    }

    public static IReadOnlyList<Row> Rows(LethePaths paths, DateTimeOffset now) =>
        MachineFolder.All(paths.Machines).Select(folder =>
        {
            var running = folder.IsRunning();
            var status = running ? folder.ReadStatus() : null;
            return new Row(
                folder.Name,
                status?.State ?? (running ? MachineStates.Booting : MachineStates.Stopped),
                status?.QemuPid,
                status?.BootedAt is { } booted ? (long)(now - booted).TotalSeconds : null,
                status?.ImageDigest,
                status?.Ports ?? [],
                folder.PersistDisk,
                status?.Scratch,
                status?.Generation,
                running ? new GenerationService(folder).Waiting() : null);
        }).ToList();

    private static string Uptime(long? seconds) => seconds switch
    {
        null => "-",
        < 120 => $"{seconds}s",
        < 7200 => $"{seconds / 60}m",
        _ => $"{seconds / 3600}h",
    };
}
