using System.Text.RegularExpressions;
using Lethe.Spec.Reading;
using YamlDotNet.RepresentationModel;

namespace Lethe.Spec.Sections;

/// <summary>ssh: {authorized_keys: [files] | agent, forward_agent, send_env: [NAMES]}.</summary>
internal sealed partial class SshSection : ISpecSection
{
    public const int MaxSendEnv = 64;

    public string Key => "ssh";

    public MachineSpec Read(YamlNode value, MachineSpec spec, NodeReader reader)
    {
        var ssh = spec.Ssh;
        reader.Fields(value, Key,
        [
            new("authorized_keys", (node, path) => ssh = ReadAuthorizedKeys(node, path, reader, ssh)),
            new("forward_agent", (node, path) => ssh = reader.TryBoolean(node, path, out var forward) ? ssh with { ForwardAgent = forward } : ssh),
            new("send_env", (node, path) => ssh = ssh with { SendEnv = ReadNames(node, path, reader) }),
        ]);
        return spec with { Ssh = ssh };
    }

    private static SshSpec ReadAuthorizedKeys(YamlNode node, string path, NodeReader reader, SshSpec ssh)
    {
        if (node is YamlScalarNode { Value: "agent" })
            return ssh with { AgentKeys = true, AuthorizedKeys = [] };
        var files = new List<string>();
        foreach (var (item, itemPath) in reader.Items(node, path, "agent, or a list of public key files like ~/.ssh/id_ed25519.pub"))
        {
            if (!reader.TryScalar(item, itemPath, "a path to a public key file", out var written))
                continue;
            if (written.Length == 0 || written.Contains('\0') || !written.EndsWith(".pub", StringComparison.Ordinal))
                reader.Report(item, $"{itemPath}: expected a public key file ending in .pub, got '{written}'");
            else
                files.Add(written);
        }
        return ssh with { AuthorizedKeys = files, AgentKeys = false };
    }

    private static List<string> ReadNames(YamlNode node, string path, NodeReader reader)
    {
        var names = new List<string>();
        foreach (var (item, itemPath) in reader.Items(node, path, "a list of variable names like [GITHUB_TOKEN]"))
        {
            if (!reader.TryText(item, itemPath, VariableName(), "a variable name (letters, digits and '_', not starting with a digit)", out var name))
                continue;
            if (names.Contains(name, StringComparer.Ordinal))
                reader.Report(item, $"{itemPath}: '{name}' is listed twice");
            else
                names.Add(name);
        }
        if (names.Count > MaxSendEnv)
            reader.Report(node, $"{path}: at most {MaxSendEnv} names");
        return names;
    }

    [GeneratedRegex(@"\A[A-Za-z_][A-Za-z0-9_]{0,127}\z")]
    public static partial Regex VariableName();
}
