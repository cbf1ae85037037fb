using System.CommandLine;
using System.CommandLine.Parsing;
using System.Text.RegularExpressions;
using Lethe.Core;
using Lethe.Machine.Workstation;

namespace Lethe.Cli.Commands;

/// <summary>Naming a workstation: an explicit NAME, else the spec's name.</summary>
public static partial class MachineInput
{
    public static Argument<string?> CreateNameArgument() => new("name")
    {
        Arity = ArgumentArity.ZeroOrOne,
        Description = "The machine's name (default: the spec's name)",
    };

    public static MachineFolder Folder(string? name, string? specOption, CliConsole console)
    {
        // Only the name is used here; nothing the spec's host paths name is read or shared.
        name ??= SpecInput.Load(specOption, console, allowOutsideSpecFolder: true).Name;
        if (!NamePattern().IsMatch(name))
            throw new UsageException($"'{name}' is not a machine name: use lowercase letters, digits and '-'");
        return new MachineFolder(LethePaths.FromEnvironment().Machines, name);
    }

    /// <summary>Argument tokens before and after "--": a NAME may come before, a command after.</summary>
    public static (IReadOnlyList<string> Before, IReadOnlyList<string> After) SplitAtDoubleDash(ParseResult parse, Command command)
    {
        var tokens = parse.Tokens.SkipWhile(t => !(t.Type == TokenType.Command && t.Value == command.Name)).Skip(1).ToList();
        var dash = tokens.FindIndex(t => t.Type == TokenType.DoubleDash);
        var before = (dash < 0 ? tokens : tokens[..dash]).Where(t => t.Type == TokenType.Argument).Select(t => t.Value).ToList();
        var after = dash < 0 ? [] : tokens[(dash + 1)..].Select(t => t.Value).ToList();
        return (before, after);
    }

    [GeneratedRegex("^[a-z0-9][a-z0-9-]{0,62}$")]
    private static partial Regex NamePattern();
}
