using System.Diagnostics;

namespace Lethe.Tests.Integration.Agents;

/// <summary>Runs a host tool to the end for a test; a failure fails the test with its output.</summary>
internal static class HostTool
{
    public static async Task<(int Code, string Stdout, string Stderr)> RunAsync(string program, IEnumerable<string> arguments,
        IReadOnlyDictionary<string, string>? environment = null, string? stdin = null)
    {
        var info = new ProcessStartInfo(program)
        {
            RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        foreach (var a in arguments)
            info.ArgumentList.Add(a);
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
            info.Environment[name] = value;
        using var process = Process.Start(info)!;
        await process.StandardInput.WriteAsync(stdin ?? "");
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        await process.WaitForExitAsync(TestContext.Current.CancellationToken);
        return (process.ExitCode, await stdout, await stderr);
    }

    public static async Task<string> CheckedAsync(string program, IEnumerable<string> arguments, IReadOnlyDictionary<string, string>? environment = null, string? stdin = null)
    {
        var (code, stdout, stderr) = await RunAsync(program, arguments, environment, stdin);
        code.ShouldBe(0, $"{program} {string.Join(' ', arguments)}: {stderr}");
        return stdout;
    }
}

/// <summary>
/// A real ssh-agent on the host, on a socket in a private temp folder, holding a throwaway ed25519 key made
/// for the test (never the user's own keys). Disposing kills the agent and removes the folder.
/// </summary>
public sealed class HostSshAgent : IAsyncDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("lethe-ssh-agent-").FullName;
    private Process? _agent;

    public string Socket => Path.Combine(_folder, "agent.sock");
    public string PrivateKeyFile => Path.Combine(_folder, "key");
    public string PublicKey { get; private set; } = "";

    public IReadOnlyDictionary<string, string> Environment => new Dictionary<string, string> { ["SSH_AUTH_SOCK"] = Socket };

    public static async Task<HostSshAgent> StartAsync()
    {
        var agent = new HostSshAgent();
        await HostTool.CheckedAsync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "lethe-agent-test", "-f", agent.PrivateKeyFile]);
        agent.PublicKey = (await File.ReadAllTextAsync(agent.PrivateKeyFile + ".pub")).Trim();
        agent._agent = Process.Start(new ProcessStartInfo("ssh-agent", ["-D", "-a", agent.Socket])
        {
            RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false,
        })!;
        for (var i = 0; i < 100 && !File.Exists(agent.Socket); i++)
            await Task.Delay(50, TestContext.Current.CancellationToken);
        await HostTool.CheckedAsync("ssh-add", ["-q", agent.PrivateKeyFile], agent.Environment);
        return agent;
    }

    /// <summary>The private key file's base64 lines: none of them may appear anywhere in the guest.</summary>
    public IReadOnlyList<string> PrivateKeyLines() =>
        File.ReadAllLines(PrivateKeyFile).Where(l => !l.StartsWith("-----", StringComparison.Ordinal) && l.Length > 0).ToList();

    public async Task<bool> VerifiesAsync(string message, string signature)
    {
        var signers = Path.Combine(_folder, "allowed_signers");
        var sig = Path.Combine(_folder, "message.sig");
        await File.WriteAllTextAsync(signers, $"test@lethe {PublicKey}\n");
        await File.WriteAllTextAsync(sig, signature);
        var (code, _, _) = await HostTool.RunAsync("ssh-keygen", ["-Y", "verify", "-f", signers, "-I", "test@lethe", "-n", "file", "-s", sig], stdin: message);
        return code == 0;
    }

    public ValueTask DisposeAsync()
    {
        try
        {
            _agent?.Kill();
        }
        catch (InvalidOperationException)
        {
        }
        _agent?.Dispose();
        Directory.Delete(_folder, recursive: true);
        return ValueTask.CompletedTask;
    }
}

/// <summary>
/// A throwaway gpg key (no passphrase) in a temp GNUPGHOME on the host, and its gpg-agent. Disposing stops
/// the agent and removes the home. git's global config is hidden, so its signing key cannot be chosen instead.
/// </summary>
public sealed class HostGpgKey : IAsyncDisposable
{
    private readonly string _home = Directory.CreateTempSubdirectory("lethe-gpg-").FullName;

    public IReadOnlyDictionary<string, string> Environment => new Dictionary<string, string>
    {
        ["GNUPGHOME"] = _home,
        ["GIT_CONFIG_GLOBAL"] = "/dev/null",
    };

    public static async Task<HostGpgKey> CreateAsync()
    {
        var key = new HostGpgKey();
        File.SetUnixFileMode(key._home, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        await HostTool.CheckedAsync("gpg", ["--batch", "--pinentry-mode", "loopback", "--passphrase", "", "--quick-gen-key",
            "Lethe Test <test@lethe.invalid>", "ed25519", "sign", "never"], key.Environment);
        return key;
    }

    public async Task<string> VerifyAsync(string signed)
    {
        var file = Path.Combine(_home, "signed.asc");
        await File.WriteAllTextAsync(file, signed);
        var (_, status, _) = await HostTool.RunAsync("gpg", ["--batch", "--status-fd", "1", "--verify", file], Environment);
        return status;
    }

    public async ValueTask DisposeAsync()
    {
        await HostTool.RunAsync("gpgconf", ["--kill", "gpg-agent"], Environment);
        Directory.Delete(_home, recursive: true);
    }
}
