using System.Text.Json;

namespace Lethe.Tests.Integration.Generations;

/// <summary>What the generation tests share: running lethe with a check, and reading a machine's generations and identity.</summary>
internal static class GenerationKit
{
    public static async Task<LetheResult> OkAsync(params string[] arguments)
    {
        var result = await LetheProcess.RunAsync(arguments, timeout: TimeSpan.FromMinutes(8));
        result.ExitCode.ShouldBe(0, $"lethe {string.Join(' ', arguments)}: {result}");
        return result;
    }

    /// <summary>(number, state) of every generation, the booted one and the current one, from lethe generations --json.</summary>
    public static async Task<(List<(int Number, string State)> All, int? Booted, int? Current)> GenerationsAsync(string name)
    {
        var listed = await OkAsync("generations", name, "--json");
        using var json = JsonDocument.Parse(listed.Stdout);
        var rows = json.RootElement.GetProperty("generations").EnumerateArray().ToList();
        var all = rows.Select(row => (row.GetProperty("generation").GetProperty("number").GetInt32(), row.GetProperty("generation").GetProperty("state").GetString()!)).ToList();
        int? Marked(string flag) => rows.Where(row => row.GetProperty(flag).GetBoolean()).Select(row => (int?)row.GetProperty("generation").GetProperty("number").GetInt32()).FirstOrDefault();
        return (all, Marked("booted"), Marked("current"));
    }

    /// <summary>What must survive every generation change: a file on the persist disk, the machine-id and the ssh host key.</summary>
    public static async Task<string> IdentityAsync(string name)
    {
        var read = await OkAsync("exec", name, "--", "sh", "-c", "cat ~/src/kept /etc/machine-id; cat /etc/ssh/ssh_host_ed25519_key.pub 2>/dev/null || true");
        return read.Stdout;
    }
}
