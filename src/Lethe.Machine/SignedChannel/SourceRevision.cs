using Lethe.Core;

namespace Lethe.Machine.SignedChannel;

/// <summary>The git commit checked out in a spec's folder, or null when it is no git work tree (or git is missing).</summary>
public static class SourceRevision
{
    public static async Task<string?> ReadAsync(string folder, CancellationToken cancellationToken)
    {
        try
        {
            var result = await new HostCommand("git")
                .WithArguments("-C", folder, "rev-parse", "--verify", "--quiet", "HEAD^{commit}")
                .WithEnvironment("GIT_CONFIG_NOSYSTEM", "1")
                .WithTimeout(TimeSpan.FromSeconds(30))
                .ExecuteAsync(cancellationToken).ConfigureAwait(false);
            var revision = result.Stdout.Trim();
            return result.ExitCode == 0 && revision.Length is 40 or 64 && revision.All(char.IsAsciiHexDigitLower) ? revision : null;
        }
        catch (HostException)
        {
            return null;
        }
    }
}
