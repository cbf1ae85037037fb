using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Lethe.Tests.Integration;

/// <summary>
/// The guest init's step interpreter (lethe-init steps), run on this host against a folder a "user"
/// has prepared with links: what root does in the guest for verify and persist gc, without a VM.
/// The steps are written as the wire format (JSON) that the host sends.
/// </summary>
public sealed class GuestStepsOnHostTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("lethe-steps-").FullName;
    private const string Nobody = "{\"uid\":65534,\"gid\":65534,\"mode\":416}";

    private static string Write(string path, string content) =>
        $"{{\"step\":\"write-new-file\",\"path\":{JsonSerializer.Serialize(path)},\"ownership\":{Nobody},\"content\":{JsonSerializer.Serialize(content)}}}";

    private static string Read(string path) => $"{{\"step\":\"read-entry\",\"path\":{JsonSerializer.Serialize(path)}}}";

    private static string Remove(string path, string within) =>
        $"{{\"step\":\"remove-entry\",\"path\":{JsonSerializer.Serialize(path)},\"within\":{JsonSerializer.Serialize(within)}}}";

    private static bool Ok(JsonNode outcome) => outcome["ok"]!.GetValue<bool>();

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static async Task<JsonArray> RunAsync(params string[] steps)
    {
        var built = await LetheProcess.RunAsync(["--version"], timeout: TimeSpan.FromMinutes(15));
        built.ExitCode.ShouldBe(0, built.ToString());
        var info = new ProcessStartInfo(Path.Combine(LetheProcess.RepositoryRoot, ".build", "guest", "lethe-init"), ["steps"])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(info)!;
        await process.StandardInput.WriteAsync($"{{\"steps\":[{string.Join(',', steps)}]}}");
        process.StandardInput.Close();
        var output = await process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        await process.WaitForExitAsync(TestContext.Current.CancellationToken);
        process.ExitCode.ShouldBe(0, await process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken));
        return JsonNode.Parse(output)!["outcomes"]!.AsArray();
    }

    private string Victim()
    {
        var victim = Path.Combine(_folder, "shadow");
        File.WriteAllText(victim, "root only\n");
        File.SetUnixFileMode(victim, UnixFileMode.UserRead);
        return victim;
    }

    private static (int Uid, UnixFileMode Mode, string Content) Facts(string path) =>
        (OwnerOf(path), File.GetUnixFileMode(path), File.ReadAllText(path));

    private static int OwnerOf(string path)
    {
        var stat = Process.Start(new ProcessStartInfo("stat", ["-c", "%u", path]) { RedirectStandardOutput = true })!;
        var uid = int.Parse(stat.StandardOutput.ReadToEnd().Trim(), System.Globalization.CultureInfo.InvariantCulture);
        stat.WaitForExit();
        return uid;
    }

    [Fact(Timeout = 900_000)]
    public async Task A_canary_is_never_written_chowned_or_read_through_a_link_at_its_path()
    {
        var victim = Victim();
        var canary = Path.Combine(_folder, ".lethe-canary-x");
        File.CreateSymbolicLink(canary, victim);
        var before = Facts(victim);

        var outcomes = await RunAsync(Write(canary, "canary"), Read(canary));
        Ok(outcomes[0]!).ShouldBeFalse();
        outcomes[1]!["facts"]!["kind"]!.GetValue<string>().ShouldBe("Symlink");
        outcomes[1]!["content"].ShouldBeNull();
        Facts(victim).ShouldBe(before);
    }

    [Fact(Timeout = 900_000)]
    public async Task A_canary_folder_swapped_for_a_link_stops_the_write_and_the_read()
    {
        var victim = Victim();
        var kept = Path.Combine(_folder, "proj", "src");
        Directory.CreateDirectory(Path.Combine(_folder, "proj"));
        File.CreateSymbolicLink(kept, _folder);
        var before = Facts(victim);

        var outcomes = await RunAsync(Write(kept + "/shadow2", "canary"), Read(kept + "/shadow"));
        outcomes.ShouldAllBe(o => !Ok(o!));
        outcomes[0]!["error"]!.GetValue<string>().ShouldContain("symbolic link");
        File.Exists(Path.Combine(_folder, "shadow2")).ShouldBeFalse();
        Facts(victim).ShouldBe(before);
    }

    [Fact(Timeout = 900_000)]
    public async Task A_new_canary_gets_exactly_its_owner_mode_and_content()
    {
        var canary = Path.Combine(_folder, "new");
        var outcomes = await RunAsync(Write(canary, "canary"), Read(canary));
        outcomes[0]!.ToJsonString().ShouldBe("{\"ok\":true}");
        outcomes[1]!.ToJsonString().ShouldBe("{\"ok\":true,\"facts\":{\"kind\":\"File\",\"uid\":65534,\"gid\":65534,\"mode\":416},\"content\":\"canary\"}");
    }

    [Fact(Timeout = 900_000)]
    public async Task Removal_deletes_links_not_what_they_point_to_and_nothing_outside_its_folder()
    {
        var victim = Victim();
        var data = Path.Combine(_folder, "data");
        Directory.CreateDirectory(Path.Combine(data, "old", "deep"));
        File.CreateSymbolicLink(Path.Combine(data, "old", "deep", "to-victim"), victim);
        File.CreateSymbolicLink(Path.Combine(data, "old", "to-folder"), _folder);
        File.CreateSymbolicLink(Path.Combine(data, "dirlink"), _folder);

        var outcomes = await RunAsync(Remove(data + "/old", data), Remove(data + "/dirlink", data), Remove(data + "/../shadow", data), Remove(_folder + "/shadow", data));
        outcomes.Select(o => Ok(o!)).ShouldBe([true, true, false, false], outcomes.ToJsonString());
        Directory.EnumerateFileSystemEntries(data).ShouldBeEmpty();
        File.ReadAllText(victim).ShouldBe("root only\n");
    }
}
