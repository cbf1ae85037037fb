namespace Lethe.Core;

/// <summary>Exit statuses every command keeps (see README "Exit status").</summary>
public static class ExitCodes
{
    public const int Success = 0;
    public const int Failure = 1;
    public const int Usage = 2;
    public const int HostCannot = 3;
}

/// <summary>An error meant for the user: its message is one clear line, and it maps to an exit status.</summary>
public class LetheException(string message, int exitCode = ExitCodes.Failure, Exception? inner = null)
    : Exception(message, inner)
{
    public int ExitCode { get; } = exitCode;
}

/// <summary>Bad command-line usage or an invalid spec: exit 2.</summary>
public sealed class UsageException(string message) : LetheException(message, ExitCodes.Usage);

/// <summary>The host cannot do what was asked (missing tool, unusable accelerator, tmpfs refused): exit 3.</summary>
public sealed class HostException(string message, Exception? inner = null) : LetheException(message, ExitCodes.HostCannot, inner);

/// <summary>A host tool ran and failed. Carries the command and the tail of its stderr for context.</summary>
public sealed class ToolFailedException(string tool, int exitCode, string stderrTail)
    : LetheException($"{tool} failed with exit status {exitCode}: {LastLine(stderrTail)}")
{
    public string Tool { get; } = tool;
    public int ToolExitCode { get; } = exitCode;
    public string StderrTail { get; } = stderrTail;

    /// <summary>What --debug prints: the message, the tool's stderr tail, then the stack.</summary>
    public override string ToString() =>
        StderrTail.Trim().Length == 0 ? base.ToString() : $"{base.ToString()}\n--- {Tool}: the tail of its stderr\n{StderrTail.TrimEnd()}";

    private static string LastLine(string text)
    {
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return lines.Length == 0 ? "(no output)" : lines[^1];
    }
}
