using Lethe.Core;
using Lethe.Machine.Workstation;
using Lethe.Spec;

namespace Lethe.Machine.Generations;

/// <summary>A git source's spec at one commit: its lethe.yaml in a checkout kept for as long as a generation uses it.</summary>
public sealed record SourceCheckout(string SpecPath, string Revision);

/// <summary>
/// Fetches a git source into <c>sources/COMMIT</c> of the machine's folder: a shallow clone of the branch, checked out
/// once per commit. The URL and branch were vetted by the spec reader (no option, no ext:: transport); git is also told
/// never to run a transport's command, and never to prompt.
/// </summary>
public sealed class GitSource(MachineFolder folder)
{
    private static readonly TimeSpan FetchTimeout = TimeSpan.FromMinutes(10);

    public string SourcesFolder => Path.Combine(folder.Path, "sources");

    /// <summary>The commit the branch points at now, without fetching anything.</summary>
    public async Task<string> RemoteRevisionAsync(UpdateSpec update, CancellationToken stop)
    {
        var reference = update.Branch is null ? "HEAD" : $"refs/heads/{update.Branch}";
        var listed = await Git().AddArguments("ls-remote", "--", update.Location, reference).ExecuteAsync(stop).ConfigureAwait(false);
        var line = listed.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault();
        if (listed.ExitCode != 0 || line is null)
            throw new LetheException($"git {update.Location}: " + (listed.ExitCode != 0 ? FirstLine(listed.Stderr) : $"no branch {update.Branch ?? "HEAD"}"));
        return Commit(line.Split('\t')[0], update);
    }

    /// <summary>The checkout of <paramref name="revision"/>'s tree, cloned when it is not there yet.</summary>
    public async Task<SourceCheckout> CheckoutAsync(UpdateSpec update, CancellationToken stop)
    {
        folder.Create();
        PrivateFolder.Ensure(SourcesFolder);
        var clone = Path.Combine(SourcesFolder, $".clone-{Guid.NewGuid():N}");
        try
        {
            var branch = update.Branch is null ? Array.Empty<string>() : ["--branch", update.Branch];
            var cloned = await Git().AddArguments(["clone", "--quiet", "--depth", "1", "--no-tags", .. branch, "--", update.Location, clone])
                .ExecuteAsync(stop).ConfigureAwait(false);
            if (cloned.ExitCode != 0)
                throw new LetheException($"git {update.Location}: {FirstLine(cloned.Stderr)}");
            var head = await Git().AddArguments("-C", clone, "rev-parse", "HEAD").ExecuteAsync(stop).ConfigureAwait(false);
            var revision = Commit(head.Stdout.Trim(), update);
            var checkout = Path.Combine(SourcesFolder, revision);
            if (PosixFiles.LStat(checkout) is null)
                Directory.Move(clone, checkout);
            var spec = Path.Combine(checkout, "lethe.yaml");
            // The repository is not trusted: its lethe.yaml must be a file of the checkout, not a link out of it.
            if (PosixFiles.LStat(spec) is not { IsRegularFile: true })
                throw new UsageException($"git {update.Location} at {revision[..12]}: lethe.yaml is missing, or is not a regular file");
            return new SourceCheckout(spec, revision);
        }
        finally
        {
            if (PosixFiles.LStat(clone) is not null)
                SafeDelete.Tree(clone);
        }
    }

    /// <summary>Removes every checkout but those of <paramref name="revisions"/>.</summary>
    public void Collect(IEnumerable<string?> revisions)
    {
        if (PosixFiles.LStat(SourcesFolder) is not { IsDirectory: true })
            return;
        var kept = revisions.OfType<string>().ToHashSet(StringComparer.Ordinal);
        foreach (var checkout in Directory.EnumerateFileSystemEntries(SourcesFolder))
            if (!kept.Contains(Path.GetFileName(checkout)))
                SafeDelete.Tree(checkout);
    }

    private static HostCommand Git() => new HostCommand("git")
        .WithArguments("-c", "protocol.ext.allow=never", "-c", "core.symlinks=true")
        .WithEnvironment("GIT_TERMINAL_PROMPT", "0")
        .WithEnvironment("GIT_ASKPASS", "/bin/false")
        .WithTimeout(FetchTimeout);

    private static string Commit(string text, UpdateSpec update) =>
        text.Length is 40 or 64 && text.All(char.IsAsciiHexDigitLower) ? text
            : throw new LetheException($"git {update.Location}: '{Protocol.UntrustedText.ForLine(text)}' is not a commit");

    private static string FirstLine(string text) =>
        Protocol.UntrustedText.ForLine(text.Split('\n', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault() ?? "failed");
}
