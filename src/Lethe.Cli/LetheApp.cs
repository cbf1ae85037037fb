using System.CommandLine;
using Lethe.Cli.Commands;
using Lethe.Core;

namespace Lethe.Cli;

/// <summary>The command tree, parse-error handling and the mapping of failures to exit statuses.</summary>
public static class LetheApp
{
    public static readonly Option<bool> DebugOption = new("--debug")
    {
        Description = "Keep logs, print boot timings and full error details",
        Recursive = true,
    };

    public static RootCommand BuildRoot(CliConsole console) => new("lethe: disposable, secret-free development machines")
    {
        Options = { DebugOption },
        Subcommands =
        {
            RunCommand.Create(console),
            UpCommand.Create(console),
            LifecycleCommands.Down(console),
            LifecycleCommands.Reboot(console),
            UpdateCommand.Create(console),
            AutoUpdateCommand.Create(console),
            GenerationCommands.List(console),
            GenerationCommands.Rollback(console),
            RemoveCommand.Create(console),
            ExecCommands.Exec(console),
            ExecCommands.Shell(console),
            SshCommands.Ssh(console),
            SshCommands.Proxy(console),
            SshCommands.Config(console),
            PsCommand.Create(console),
            LogsCommand.Create(console),
            NetCommands.Create(console),
            PersistCommands.Create(console),
            VerifyCommand.Create(console),
            BenchCommand.Create(console),
            SuperviseCommand.Create(console),
            BuildCommand.Create(console),
            AuditCommand.Create(console),
            ExportCommand.Create(console),
            PublishCommand.Create(console),
            DoctorCommand.Create(console),
            InitCommand.Create(console),
        },
    };

    public static async Task<int> RunAsync(string[] args, CliConsole console)
    {
        var root = BuildRoot(console);
        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            console.Error.WriteLine($"lethe: {parse.Errors[0].Message} (see lethe --help)");
            return ExitCodes.Usage;
        }
        var debug = parse.GetValue(DebugOption);
        using var stop = new CancellationTokenSource();
        using var sigint = System.Runtime.InteropServices.PosixSignalRegistration.Create(
            System.Runtime.InteropServices.PosixSignal.SIGINT, context => { context.Cancel = true; stop.Cancel(); });
        using var sigterm = System.Runtime.InteropServices.PosixSignalRegistration.Create(
            System.Runtime.InteropServices.PosixSignal.SIGTERM, context => { context.Cancel = true; stop.Cancel(); });
        try
        {
            return await parse.InvokeAsync(new InvocationConfiguration
            {
                Output = console.Out,
                Error = console.Error,
                EnableDefaultExceptionHandler = false,
                ProcessTerminationTimeout = null,
            }, stop.Token).ConfigureAwait(false);
        }
        catch (SpecInvalidException e)
        {
            return e.ExitCode;
        }
        catch (LetheException e)
        {
            console.Error.WriteLine($"lethe: {e.Message}");
            if (debug)
                console.Error.WriteLine(e);
            return e.ExitCode;
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            console.Error.WriteLine("lethe: interrupted");
            return 130;
        }
        catch (Exception e)
        {
            console.Error.WriteLine($"lethe: internal error: {e.Message}{(debug ? "" : " (run with --debug for details)")}");
            if (debug)
                console.Error.WriteLine(e);
            return ExitCodes.Failure;
        }
    }
}
