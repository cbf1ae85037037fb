using System.CommandLine;
using Lethe.Cli;
using Lethe.Machine.Secrets;
using Lethe.Machine.Workstation;
using Lethe.Protocol;
using Lethe.Spec;

namespace Lethe.Cli.Commands;

/// <summary>--send-env NAME (repeatable) on run, exec and shell, joined with the spec's ssh.send_env.</summary>
public static class SendEnvInput
{
    public static Option<string[]> CreateOption() => new("--send-env")
    {
        Description = "Pass this variable of lethe's environment to the session's environment only (repeatable; never to the seed, argv, a file or a log)",
        AllowMultipleArgumentsPerToken = false,
    };

    /// <summary>The request with its session variables, read from this process's environment; a name unset here is exit 2.</summary>
    public static ExecRequest With(ExecRequest exec, IReadOnlyList<string> specNames, ParseResult parse, Option<string[]> option) =>
        exec with { Environment = Values(specNames, parse, option) };

    /// <summary>The session variables alone (null: none asked for), read from this process's environment.</summary>
    public static IReadOnlyDictionary<string, string>? Values(IReadOnlyList<string> specNames, ParseResult parse, Option<string[]> option) =>
        SessionVariables.Collect(specNames, parse.GetValue(option) ?? [], System.Environment.GetEnvironmentVariable);
}
