using System.CommandLine;
using Lethe.Core;
using Lethe.Spec;

namespace Lethe.Cli.Commands;

/// <summary>lethe init: write a commented starter lethe.yaml.</summary>
public static class InitCommand
{
    public static Command Create(CliConsole console)
    {
        var force = new Option<bool>("--force") { Description = "Overwrite an existing file" };
        var path = new Argument<string?>("path") { Arity = ArgumentArity.ZeroOrOne, Description = "Where to write (default ./lethe.yaml)" };
        var init = new Command("init", "Write a commented starter lethe.yaml") { force, path };
        init.SetAction(parse =>
        {
            var target = Path.GetFullPath(parse.GetValue(path) ?? SpecLocator.FileName, console.CurrentDirectory);
            if (File.Exists(target) && !parse.GetValue(force))
                throw new UsageException($"{target} already exists (use --force to overwrite)");
            File.WriteAllText(target, SpecLoader.StarterText());
            console.Out.WriteLine($"wrote {target}");
            return ExitCodes.Success;
        });
        return init;
    }
}
