using Lethe.Core;
using Lethe.Machine.Workstation;
using Lethe.Protocol;
using Lethe.Spec;

namespace Lethe.Machine.Ssh;

/// <summary>
/// The public keys sshd in the machine accepts: the spec's key files (~ is the host user's home), the running
/// agent's keys (ssh-add -L), or by default lethe's per-machine key, made on first use in the machine folder.
/// Only public keys leave this class; a private key file listed in the spec is refused without being shown.
/// </summary>
public static class ClientKeys
{
    private const int MaxFileBytes = 64 * 1024;

    public static async Task<IReadOnlyList<string>> ResolveAsync(SshSpec ssh, MachineFolder folder, string home, CancellationToken stop)
    {
        if (ssh.AgentKeys)
            return await AgentKeysAsync(stop).ConfigureAwait(false);
        if (ssh.UsesMachineKey)
            return [(await EnsureMachineKeyAsync(folder, stop).ConfigureAwait(false)).ToString()];
        var keys = new List<string>();
        foreach (var written in ssh.AuthorizedKeys)
            keys.AddRange(ReadKeyFile(written, ExpandHome(written, home)).Select(k => k.ToString()));
        return keys;
    }

    /// <summary>
    /// The keys a disk export's sshd accepts: the spec's key files or agent keys (never lethe's per-machine key,
    /// which belongs to one machine folder on this host), then the files given on the command line.
    /// </summary>
    /// <param name="extraFiles">Paths as written; relative ones resolve in <paramref name="currentDirectory"/>.</param>
    public static async Task<IReadOnlyList<string>> ForExportAsync(SshSpec ssh, IEnumerable<string> extraFiles, string home, string currentDirectory, CancellationToken stop)
    {
        var keys = new List<string>();
        if (ssh.AgentKeys)
            keys.AddRange(await AgentKeysAsync(stop).ConfigureAwait(false));
        else if (!ssh.UsesMachineKey)
            foreach (var written in ssh.AuthorizedKeys)
                keys.AddRange(ReadKeyFile(written, ExpandHome(written, home)).Select(k => k.ToString()));
        foreach (var written in extraFiles)
            keys.AddRange(ReadKeyFile(written, Path.GetFullPath(ExpandHome(written, home), currentDirectory)).Select(k => k.ToString()));
        return [.. keys.Distinct(StringComparer.Ordinal)];
    }

    public static string ExpandHome(string written, string home) =>
        written == "~" ? home : written.StartsWith("~/", StringComparison.Ordinal) ? Path.Combine(home, written[2..]) : written;

    private static IReadOnlyList<SshPublicKey> ReadKeyFile(string written, string path)
    {
        string text;
        try
        {
            using var file = new FileStream(path, FileMode.Open, FileAccess.Read);
            if (file.Length > MaxFileBytes)
                throw new UsageException($"ssh.authorized_keys: {written}: larger than {MaxFileBytes / 1024} KiB, not a public key file");
            text = new StreamReader(file).ReadToEnd();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UsageException($"ssh.authorized_keys: cannot read {written}: {e.Message}");
        }
        // The problem names the line, never its content: the file might hold a secret.
        return SshPublicKeys.ParseFile(text, out var problem) ?? throw new UsageException($"ssh.authorized_keys: {written} {problem}");
    }

    private static async Task<IReadOnlyList<string>> AgentKeysAsync(CancellationToken stop)
    {
        if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable("SSH_AUTH_SOCK")))
            throw new HostException("ssh.authorized_keys is 'agent', but no SSH agent runs here (SSH_AUTH_SOCK is not set)");
        var result = await new HostCommand("ssh-add").WithArguments("-L").WithTimeout(TimeSpan.FromSeconds(30)).ExecuteAsync(stop).ConfigureAwait(false);
        if (result.ExitCode != 0)
            throw new HostException($"ssh.authorized_keys is 'agent', but the agent lists no keys (ssh-add -L: exit {result.ExitCode})");
        return SshPublicKeys.ParseFile(result.Stdout, out var problem)?.Select(k => k.ToString()).ToList()
            ?? throw new HostException($"ssh.authorized_keys is 'agent', but the agent's list {problem}");
    }

    /// <summary>
    /// Made once by ssh-keygen in a fresh private folder inside the machine folder, then moved into place
    /// without replacing anything: a key that appeared meanwhile is kept, never overwritten.
    /// </summary>
    public static async Task<SshPublicKey> EnsureMachineKeyAsync(MachineFolder folder, CancellationToken stop)
    {
        var key = MachineSshFiles.MachineKey(folder);
        if (!File.Exists(key))
        {
            folder.Create();
            var staging = PrivateFolder.CreateNew(Path.Combine(folder.Path, $"keygen-{Guid.NewGuid():N}"));
            try
            {
                var made = Path.Combine(staging, "id_ed25519");
                await new HostCommand("ssh-keygen").WithArguments("-q", "-t", "ed25519", "-N", "", "-C", $"lethe {folder.Name}", "-f", made)
                    .WithTimeout(TimeSpan.FromMinutes(1)).RunAsync(stop).ConfigureAwait(false);
                File.SetUnixFileMode(made, UnixFileMode.UserRead | UnixFileMode.UserWrite);
                File.Move(made + ".pub", key + ".pub", overwrite: true);
                File.Move(made, key, overwrite: false);
            }
            catch (IOException) when (File.Exists(key))
            {
                // Another lethe made it first: use that one.
            }
            finally
            {
                Directory.Delete(staging, recursive: true);
            }
        }
        var text = File.Exists(key + ".pub")
            ? await File.ReadAllTextAsync(key + ".pub", stop).ConfigureAwait(false)
            : await new HostCommand("ssh-keygen").WithArguments("-y", "-f", key).RunAsync(stop).ConfigureAwait(false);
        return SshPublicKeys.Parse(text.Trim(), out var problem)
            ?? throw new LetheException($"the machine's SSH key {key}.pub is not a public key ({problem}); delete {key} and its .pub to make a new one");
    }
}
