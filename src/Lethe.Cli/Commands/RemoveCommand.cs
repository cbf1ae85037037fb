using System.CommandLine;
using Lethe.Core;
using Lethe.Machine.Workstation;

namespace Lethe.Cli.Commands;

/// <summary>lethe rm NAME [--yes]: remove a stopped machine, its persist disk and its state.</summary>
public static class RemoveCommand
{
    public static Command Create(CliConsole console)
    {
        var name = new Argument<string>("name") { Description = "The machine to remove" };
        var yes = new Option<bool>("--yes") { Description = "Remove it; without this, only list what would go" };
        var rm = new Command("rm", "Remove a stopped machine, its persist disk and its state") { name, yes };
        rm.SetAction(parse =>
        {
            var folder = MachineInput.Folder(parse.GetValue(name), null, console);
            var plan = MachineRemoval.Plan(folder);
            if (!parse.GetValue(yes))
            {
                foreach (var line in MachineRemoval.Describe(plan))
                    console.Out.WriteLine(line);
                console.Error.WriteLine($"lethe: nothing removed; to remove machine {plan.Name} and everything above: lethe rm {plan.Name} --yes");
                return ExitCodes.Success;
            }
            MachineRemoval.Remove(folder);
            console.Error.WriteLine($"lethe: removed machine {plan.Name} ({MachineRemoval.Size(plan.AllocatedBytes)} freed)");
            return ExitCodes.Success;
        });
        return rm;
    }
}
