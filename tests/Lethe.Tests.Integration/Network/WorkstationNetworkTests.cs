using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace Lethe.Tests.Integration.Network;

/// <summary>A workstation's network while it runs: policy changes at once, the decision log, forwards that
/// follow the guest's listeners on 127.0.0.1 only, and nothing left listening after down or kill -9.</summary>
[Collection(MachineCollection.Name)]
public sealed class WorkstationNetworkTests(TestImage image)
{
    private const int Timeout = 900_000;
    private const int GuestPort = 18123;

    [Fact(Timeout = Timeout)]
    public async Task Net_allow_and_deny_change_a_running_machine_at_once_the_log_says_why_and_forwards_follow_the_guests_listeners()
    {
        const string name = "it-net-ws";
        await using var first = LoopbackServer.Echo("first-banner");
        await using var second = LoopbackServer.Echo("second-banner");
        var hosts = Path.Combine(image.Folder, "net-ws-hosts");
        await File.WriteAllTextAsync(hosts, "127.0.0.1 echo.test\n", TestContext.Current.CancellationToken);
        var environment = new Dictionary<string, string> { ["LETHE_NET_HOSTS"] = hosts };
        var spec = image.WriteSpec(name, $"""
            network:
              egress: ["echo.test:{first.Port}"]
              allow: [127.0.0.1]
            """);
        var started = DateTimeOffset.UtcNow;
        try
        {
            await LetheProcess.UpAsync(name, ["--spec", spec], environment: environment);
            async Task<string> Banner(int port)
            {
                var result = await LetheProcess.RunAsync(["exec", name, "--", "bash", "-c", $"timeout 20 bash -c 'exec 3<>/dev/tcp/echo.test/{port}; head -1 <&3'"]);
                return result.ExitCode == 0 ? result.Stdout.Trim() : $"fail:{result.ExitCode}";
            }

            (await Banner(first.Port)).ShouldBe("first-banner");
            (await Banner(second.Port)).ShouldStartWith("fail");
            var allow = await LetheProcess.RunAsync(["net", "allow", name, $"echo.test:{second.Port}"]);
            allow.ExitCode.ShouldBe(0, allow.ToString());
            (await Banner(second.Port)).ShouldBe("second-banner");
            var deny = await LetheProcess.RunAsync(["net", "deny", name, $"echo.test:{first.Port}"]);
            deny.ExitCode.ShouldBe(0, deny.ToString());
            (await Banner(first.Port)).ShouldStartWith("fail");

            var log = await LetheProcess.RunAsync(["net", "log", name, "--json"]);
            log.ExitCode.ShouldBe(0, log.ToString());
            var records = log.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => JsonDocument.Parse(line).RootElement)
                .Where(r => r.GetProperty("time").GetDateTimeOffset() >= started).ToList(); // the log keeps earlier boots too
            records.ShouldContain(r => r.GetProperty("protocol").GetString() == "policy" && r.GetProperty("verdict").GetString() == "deny");
            var denials = records.Where(r => r.GetProperty("protocol").GetString() == "tcp" && r.GetProperty("verdict").GetString() == "deny").ToList();
            denials.Count.ShouldBe(2, log.Stdout);
            denials.ShouldAllBe(r => r.GetProperty("reason").GetString()!.Length > 0);
            records.ShouldContain(r => r.GetProperty("verdict").GetString() == "close" && r.GetProperty("bytesToGuest").GetInt64() > 0, log.Stdout);
            var table = await LetheProcess.RunAsync(["net", "log", name]);
            table.Stdout.ShouldContain("echo.test");

            // forward: auto (a workstation's default): a listener on the guest's own 127.0.0.1 appears on host 127.0.0.1 only.
            var listen = await LetheProcess.RunAsync(["exec", name, "--", "bash", "-c", $"setsid -f bash -c 'echo $$ > /tmp/nc.pid; exec nc -lk 127.0.0.1 {GuestPort} > /tmp/got' </dev/null >/dev/null 2>&1"]);
            listen.ExitCode.ShouldBe(0, listen.ToString());
            await WaitUntilAsync(() => HostSockets.Reaches(IPAddress.Loopback, GuestPort), "the auto forward never appeared");
            var ps = await LetheProcess.RunAsync(["ps", "--json"]);
            using (var machines = JsonDocument.Parse(ps.Stdout))
                machines.RootElement.EnumerateArray().Single(m => m.GetProperty("name").GetString() == name)
                    .GetProperty("ports").EnumerateArray().Select(p => p.GetString()).ShouldContain($"127.0.0.1:{GuestPort}->{GuestPort}");
            if (HostSockets.OwnAddress() is { } own)
                HostSockets.Reaches(own, GuestPort).ShouldBeFalse("the forward listens on an address other than 127.0.0.1");
            using (var client = new TcpClient())
            {
                await client.ConnectAsync(IPAddress.Loopback, GuestPort, TestContext.Current.CancellationToken);
                await client.GetStream().WriteAsync(Encoding.ASCII.GetBytes("ping-through-forward\n"), TestContext.Current.CancellationToken);
                await WaitUntilAsync(() => LetheProcess.RunAsync(["exec", name, "--", "cat", "/tmp/got"]).Result.Stdout.Contains("ping-through-forward"),
                    "what the host sent never reached the guest's listener");
            }
            (await LetheProcess.RunAsync(["exec", name, "--", "bash", "-c", "kill $(cat /tmp/nc.pid)"])).ExitCode.ShouldBe(0);
            await WaitUntilAsync(() => !HostSockets.Reaches(IPAddress.Loopback, GuestPort), "the auto forward outlived the guest's listener");

            // kill -9 of the supervisor: QEMU dies with it and nothing it opened is left listening.
            (await LetheProcess.RunAsync(["exec", name, "--", "bash", "-c", $"setsid -f bash -c 'nc -lk {GuestPort}' </dev/null >/dev/null 2>&1"])).ExitCode.ShouldBe(0);
            await WaitUntilAsync(() => HostSockets.Reaches(IPAddress.Loopback, GuestPort), "the auto forward never came back");
            var supervisor = SupervisorPid(name).ShouldNotBeNull();
            System.Diagnostics.Process.GetProcessById(supervisor).Kill();
            await WaitUntilAsync(() => !HostSockets.Reaches(IPAddress.Loopback, GuestPort), "a forward outlived the killed supervisor");
        }
        finally
        {
            await LetheProcess.RunAsync(["down", name]);
            File.Delete(hosts);
        }
    }

    private static async Task WaitUntilAsync(Func<bool> condition, string failure)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
                throw new ShouldAssertException(failure);
            await Task.Delay(250, TestContext.Current.CancellationToken);
        }
    }

    private static int? SupervisorPid(string name)
    {
        foreach (var folder in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(folder), out var pid))
                continue;
            try
            {
                var argv = File.ReadAllText(Path.Combine(folder, "cmdline")).Split('\0');
                var at = Array.IndexOf(argv, "supervise");
                if (at >= 0 && at + 1 < argv.Length && argv[at + 1] == name)
                    return pid;
            }
            catch (IOException)
            {
            }
        }
        return null;
    }
}
