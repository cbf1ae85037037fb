using System.Diagnostics;
using System.Net;
using Lethe.Machine.Bench;
using Lethe.Spec;

namespace Lethe.Tests.Network;

public sealed class NetBenchTests
{
    private static readonly NetBenchServers.Ports SomePorts = new(4001, 4002, 4003);

    [Fact]
    public void The_guest_script_uses_bash_tcp_to_the_gateway_address_and_times_each_part()
    {
        var script = NetBench.GuestScript(SomePorts, 256L << 20, 100);
        script.ShouldContain("exec 3<>/dev/tcp/10.0.2.2/4001");
        script.ShouldContain($"head -c {256L << 20} /dev/zero >&3");
        script.ShouldContain("read -r ack <&3");
        script.ShouldContain("cat </dev/tcp/10.0.2.2/4002 >/dev/null");
        script.ShouldContain("for ((i = 0; i < 100; i++))");
        script.ShouldContain("exec 3<>/dev/tcp/10.0.2.2/4003");
        script.ShouldContain("echo \"connect $((t1 - t0)) 100\"");
    }

    [Fact]
    public void Output_becomes_megabytes_per_second_and_milliseconds_per_connect()
    {
        const string output = "upload 2000000000\ndownload 1000000000\nconnect 500000000 100\n";
        var sample = NetBench.ParseOutput(NetBackend.Gateway, output, 100_000_000).ShouldNotBeNull();
        sample.Backend.ShouldBe(NetBackend.Gateway);
        sample.UploadMBps.ShouldBe(50, 1e-9);
        sample.DownloadMBps.ShouldBe(100, 1e-9);
        sample.ConnectMs.ShouldBe(5, 1e-9);
    }

    [Theory]
    [InlineData("upload 2000\ndownload 1000\n")]
    [InlineData("upload 2000\ndownload 1000\nconnect 500 0\n")]
    [InlineData("upload -5\ndownload 1000\nconnect 500 10\n")]
    [InlineData("upload 0\ndownload 1000\nconnect 500 10\n")]
    [InlineData("upload x\ndownload 1000\nconnect 500 10\n")]
    [InlineData("")]
    public void Missing_or_malformed_figures_are_no_sample(string output) =>
        NetBench.ParseOutput(NetBackend.QemuUser, output, 1000).ShouldBeNull();

    [Fact]
    public void Boots_are_interleaved_and_alternate_which_backend_goes_first()
    {
        NetBench.Schedule(3).ShouldBe([NetBackend.Gateway, NetBackend.QemuUser, NetBackend.QemuUser, NetBackend.Gateway, NetBackend.Gateway, NetBackend.QemuUser]);
        NetBench.Schedule(1).ShouldBe([NetBackend.Gateway, NetBackend.QemuUser]);
    }

    [Fact]
    public void Medians_per_backend_and_the_gateways_ratios_to_qemu_user()
    {
        var gateway = NetBench.MediansOf([new(NetBackend.Gateway, 80, 40, 3), new(NetBackend.Gateway, 60, 50, 1), new(NetBackend.Gateway, 70, 45, 2)]);
        gateway.ShouldBe(new NetBench.Medians(70, 45, 2));
        var user = NetBench.MediansOf([new(NetBackend.QemuUser, 100, 50, 4), new(NetBackend.QemuUser, 80, 70, 2)]);
        user.ShouldBe(new NetBench.Medians(90, 60, 3));
        var ratios = NetBench.RatiosOf(gateway, user);
        ratios.Upload.ShouldBe(70.0 / 90, 1e-9);
        ratios.Download.ShouldBe(0.75, 1e-9);
        ratios.ConnectTime.ShouldBe(2.0 / 3, 1e-9);
        NetBench.RatiosOf(gateway, new NetBench.Medians(0, 0, 0)).Upload.ShouldBe(0);
    }

    [Fact]
    public void The_bench_machine_is_open_with_the_hosts_loopback_allowed_and_no_forwards()
    {
        var spec = NetBench.ForBench(SpecLoader.Default() with { Network = new NetworkSpec { Mode = NetworkMode.None } });
        spec.Network.Mode.ShouldBe(NetworkMode.Gateway);
        spec.Network.IsOpen.ShouldBeTrue();
        spec.Network.Allow.ShouldHaveSingleItem().CoversAddress(IPAddress.Loopback).ShouldBeTrue();
        spec.Network.EffectiveForward(workstation: true).ShouldBe(ForwardMode.None);
    }

    [Fact]
    public async Task The_script_against_the_servers_on_this_hosts_loopback_measures_every_part()
    {
        var stop = TestContext.Current.CancellationToken;
        await using var servers = new NetBenchServers(3 << 20);
        var script = NetBench.GuestScript(IPAddress.Loopback, servers.Listening, servers.Bytes, 20);
        using var bash = Process.Start(new ProcessStartInfo("bash", ["-c", script]) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stop);
        timeout.CancelAfter(TimeSpan.FromSeconds(30));
        var output = bash.StandardOutput.ReadToEndAsync(timeout.Token);
        var errors = bash.StandardError.ReadToEndAsync(timeout.Token);
        try
        {
            await bash.WaitForExitAsync(timeout.Token);
        }
        finally
        {
            if (!bash.HasExited)
                bash.Kill();
        }
        (bash.ExitCode, await errors).ShouldBe((0, ""));
        var sample = NetBench.ParseOutput(NetBackend.Gateway, await output, servers.Bytes).ShouldNotBeNull();
        sample.UploadMBps.ShouldBeGreaterThan(0);
        sample.DownloadMBps.ShouldBeGreaterThan(0);
        sample.ConnectMs.ShouldBeGreaterThan(0);
        servers.Failure.ShouldBeNull();
    }

    [Fact]
    public async Task A_sink_that_gets_fewer_bytes_never_answers_ok()
    {
        var stop = TestContext.Current.CancellationToken;
        await using var servers = new NetBenchServers(1000);
        using var client = new System.Net.Sockets.TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, servers.Listening.Sink, stop);
        var stream = client.GetStream();
        await stream.WriteAsync(new byte[999], stop);
        client.Client.Shutdown(System.Net.Sockets.SocketShutdown.Send);
        var answer = new byte[8];
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stop);
        timeout.CancelAfter(TimeSpan.FromSeconds(10));
        (await stream.ReadAsync(answer, timeout.Token)).ShouldBe(0);
        for (var i = 0; i < 100 && servers.Failure is null; i++)
            await Task.Delay(20, stop);
        servers.Failure.ShouldNotBeNull().ShouldContain("1 bytes short");
    }

    [Fact]
    public void The_guest_gets_at_least_five_minutes_and_more_for_bigger_transfers() =>
        NetBench.GuestTimeout(256L << 20, 100).ShouldBe(TimeSpan.FromMinutes(5) + TimeSpan.FromSeconds(2.0 * (256L << 20) / 1e6 + 100));
}
