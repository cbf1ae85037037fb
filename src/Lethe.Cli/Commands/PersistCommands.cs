using System.CommandLine;
using Lethe.Core;
using Lethe.Machine.Persist;
using Lethe.Machine.Workstation;
using Lethe.Protocol;
using Lethe.Spec;

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

    private static Command Ls(CliConsole console) => Build("ls", "What is kept, with sizes", console, async (folder, spec, _, stop) =>
    {
        var paths = BootAllowlist(folder, spec);
        var script = "for p; do if [ -e \"/persist/data$p\" ]; then du -sb \"/persist/data$p\" | cut -f1; else echo -; fi; done";
        var (_, output, _) = await MachineClient.CaptureAsync(folder, ["sh", "-c", script, "sh", .. paths], stop).ConfigureAwait(false);
        var sizes = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        console.Out.WriteLine($"{"PATH",-48} SIZE");
        for (var i = 0; i < paths.Count; i++)
        {
            var size = i < sizes.Length && long.TryParse(sizes[i], out var bytes) ? FileListing.Size(bytes) : "(not yet created)";
            console.Out.WriteLine($"{paths[i],-48} {size}");
        }
        return ExitCodes.Success;
    });

    private static Command Diff(CliConsole console) => Build("diff", "Everything written since boot outside the allowlist: the next boot loses it", console, async (folder, spec, _, stop) =>
    {
        var scanned = PersistDiff.Layers.Select(l => l.Scanned).ToList();
        var (_, output, _) = await MachineClient.CaptureAsync(folder,
            ["find", .. scanned, "-xdev", "-mindepth", "1", "-printf", FileListing.FindFormat], stop).ConfigureAwait(false);
        var groups = PersistDiff.Summarize(FileListing.Parse(output), BootAllowlist(folder, spec));
        if (groups.Count == 0)
        {
            console.Out.WriteLine("nothing outside the allowlist was written since boot");
            return ExitCodes.Success;
        }
        console.Out.WriteLine($"{"DIRECTORY (lost at the next boot)",-48} {"FILES",6} {"SIZE",10}");
        foreach (var g in groups)
            console.Out.WriteLine($"{g.Directory,-48} {g.Files,6} {FileListing.Size(g.Bytes),10}{(g.Deleted > 0 ? $"  ({g.Deleted} deleted from the image)" : "")}");
        return ExitCodes.Success;
    });

    private static Command Gc(CliConsole console)
    {
        var yes = new Option<bool>("--yes") { Description = "Delete them (without it, only list)" };
        var gc = Build("gc", "Entries on the persist disk no longer in the allowlist", console, async (folder, spec, parse, stop) =>
        {
            var (_, output, _) = await MachineClient.CaptureAsync(folder,
                ["find", SeedLayout.PersistData, "-mindepth", "1", "-printf", FileListing.FindFormat], stop).ConfigureAwait(false);
            var listing = FileListing.Parse(output).Select(f => f with { Path = f.Path[SeedLayout.PersistData.Length..] });
            var orphans = PersistGc.Orphans(listing, Allowlist(spec));
            if (orphans.Count == 0)
            {
                console.Out.WriteLine("the persist disk holds nothing outside the allowlist");
                return ExitCodes.Success;
            }
            foreach (var o in orphans)
                console.Out.WriteLine($"{o.Path,-48} {o.Files,6} files {FileListing.Size(o.Bytes),10}");
            if (!parse.GetValue<bool>("--yes"))
            {
                console.Out.WriteLine($"{orphans.Count} entr{(orphans.Count == 1 ? "y" : "ies")} not in the allowlist; delete with: lethe persist gc {folder.Name} --yes");
                return ExitCodes.Success;
            }
            var (code, _, errors) = await MachineClient.CaptureAsync(folder,
                ["rm", "-rf", "--", .. orphans.Select(o => SeedLayout.PersistData + o.Path)], stop).ConfigureAwait(false);
            if (code != 0)
                throw new LetheException($"deleting from the persist disk failed: {errors.Trim()}");
            console.Out.WriteLine($"deleted {orphans.Count} entr{(orphans.Count == 1 ? "y" : "ies")}");
            return ExitCodes.Success;
        });
        gc.Options.Add(yes);
        return gc;
    }

    /// <summary>What the current boot keeps, as the supervisor recorded it (the spec may have changed since).</summary>
    private static IReadOnlyList<string> BootAllowlist(MachineFolder folder, MachineSpec spec) =>
        folder.ReadStatus()?.Allowlist ?? Allowlist(spec);

    private static IReadOnlyList<string> Allowlist(MachineSpec spec) =>
        spec.Persist.Paths.Select(p => p.GuestPath($"/home/{spec.User.Name}")).ToList();

    private static Command Build(string name, string description, CliConsole console, Func<MachineFolder, MachineSpec, ParseResult, CancellationToken, Task<int>> action)
    {
        var spec = SpecInput.CreateOption();
        var machine = MachineInput.CreateNameArgument();
        var command = new Command(name, description) { spec, machine };
        command.SetAction(async (parse, stop) =>
        {
            var folder = MachineInput.Folder(parse.GetValue(machine), parse.GetValue(spec), console);
            // The machine's own spec (the one it was booted from), unless another is named.
            var specPath = parse.GetValue(spec) ?? folder.ReadStatus()?.SpecPath;
            var loaded = SpecInput.Load(specPath, console);
            if (!folder.IsRunning())
                throw new LetheException($"machine {folder.Name} is not running; persist commands look inside it (lethe up {folder.Name})");
            return await action(folder, loaded, parse, stop).ConfigureAwait(false);
        });
        return command;
    }
}
