using System.CommandLine;
using System.Text.Json;
using Lethe.Core;
using Lethe.Machine.Persist;
using Lethe.Machine.Workstation;

namespace Lethe.Cli.Commands;

/// <summary>lethe persist ls | diff | gc: what a workstation keeps, what it will lose, what it no longer needs.</summary>
public static class PersistCommands
{
    public static Command Create(CliConsole console)
    {
        var persist = new Command("persist", "Inspect a running machine's allowlist persistence");
        persist.Subcommands.Add(Ls(console));
        persist.Subcommands.Add(Diff(console));
        persist.Subcommands.Add(Gc(console));
        return persist;
    }

    private static Command Ls(CliConsole console) => Build("ls", "What is kept, with sizes", console, async (inspection, _, _, stop) =>
    {
        var kept = await inspection.ListAsync(stop).ConfigureAwait(false);
        console.Out.WriteLine($"{"PATH",-48} SIZE");
        foreach (var k in kept)
            console.Out.WriteLine($"{FileListing.Shown(k.Path),-48} {(k.Bytes is { } bytes ? FileListing.Size(bytes) : "(not yet created)")}");
        return ExitCodes.Success;
    });

    private static Command Diff(CliConsole console)
    {
        var json = new Option<bool>("--json") { Description = "Machine-readable: every lost file with its size, by directory" };
        var diff = Build("diff", "Every file written since boot outside the allowlist, largest first: the next boot loses them", console, async (inspection, _, parse, stop) =>
        {
            var groups = await inspection.DiffAsync(stop).ConfigureAwait(false);
            if (parse.GetValue(json))
            {
                console.Out.WriteLine(JsonSerializer.Serialize(new { totalBytes = groups.Sum(g => g.Bytes), groups }, Json));
                return ExitCodes.Success;
            }
            if (groups.Count == 0)
            {
                console.Out.WriteLine("nothing outside the allowlist was written since boot");
                return ExitCodes.Success;
            }
            console.Out.WriteLine($"{"DIRECTORY (lost at the next boot)",-48} {"FILES",6} {"SIZE",10}");
            foreach (var g in groups)
            {
                console.Out.WriteLine($"{FileListing.Shown(g.Directory),-48} {g.Files.Count,6} {FileListing.Size(g.Bytes),10}{(g.Deleted.Count > 0 ? $"  ({g.Deleted.Count} deleted from the image)" : "")}");
                foreach (var f in g.Files)
                    console.Out.WriteLine($"  {FileListing.Size(f.Bytes),10}  {FileListing.Shown(f.Path)}");
            }
            return ExitCodes.Success;
        });
        diff.Options.Add(json);
        return diff;
    }

    private static Command Gc(CliConsole console)
    {
        var yes = new Option<bool>("--yes") { Description = "Delete them (without it, only list)" };
        var gc = Build("gc", "Entries on the persist disk no longer in the allowlist", console, async (inspection, folder, parse, stop) =>
        {
            var delete = parse.GetValue(yes);
            var report = await inspection.GcAsync(delete, stop).ConfigureAwait(false);
            foreach (var refused in report.Refused)
                console.Error.WriteLine($"lethe: refused (not below the persist data folder): {FileListing.Shown(refused)}");
            if (report.Orphans.Count == 0)
            {
                console.Out.WriteLine("the persist disk holds nothing outside the allowlist");
                return ExitCodes.Success;
            }
            foreach (var o in report.Orphans)
                console.Out.WriteLine($"{FileListing.Shown(o.Path),-48} {o.Files,6} files {FileListing.Size(o.Bytes),10}");
            var entries = $"entr{(report.Orphans.Count == 1 ? "y" : "ies")}";
            if (!report.Deleted)
            {
                console.Out.WriteLine($"{report.Orphans.Count} {entries} not in the allowlist; delete with: lethe persist gc {folder.Name} --yes");
                return ExitCodes.Success;
            }
            if (report.Failures.Count > 0)
                throw new LetheException($"deleting from the persist disk failed: {FileListing.Shown(string.Join("; ", report.Failures))}");
            console.Out.WriteLine($"deleted {report.Orphans.Count} {entries}");
            return ExitCodes.Success;
        });
        gc.Options.Add(yes);
        return gc;
    }

    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase, WriteIndented = true };

    private static Command Build(string name, string description, CliConsole console, Func<PersistInspection, MachineFolder, ParseResult, CancellationToken, Task<int>> action)
    {
        var spec = SpecInput.CreateOption();
        var machine = MachineInput.CreateNameArgument();
        var command = new Command(name, description) { spec, machine };
        command.SetAction(async (parse, stop) =>
        {
            var folder = MachineInput.Folder(parse.GetValue(machine), parse.GetValue(spec), console);
            // The machine's own spec (the one it was booted from), unless another is named.
            var loaded = SpecInput.Load(parse.GetValue(spec) ?? folder.ReadStatus()?.SpecPath, console);
            return await action(PersistInspection.For(folder, loaded), folder, parse, stop).ConfigureAwait(false);
        });
        return command;
    }
}
