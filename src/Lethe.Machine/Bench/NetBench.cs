using System.Globalization;
using System.Text;
using Lethe.Core;
using Lethe.Machine.Run;
using Lethe.Protocol;
using Lethe.Spec;

namespace Lethe.Machine.Bench;

public enum NetBackend
{
    /// <summary>lethe's gateway, with its egress policy.</summary>
    Gateway,
    /// <summary>QEMU's own user networking (slirp), the comparison.</summary>
    QemuUser,
}

/// <summary>
/// Throughput and connection set-up through lethe's gateway against QEMU's own user networking, on the
/// same guest: the guest talks (with bash's /dev/tcp only) to servers on the host's 127.0.0.1, which it
/// reaches as 10.0.2.2 on both backends.
/// </summary>
public sealed class NetBench(LethePaths paths)
{
    /// <summary>One boot's figures: megabytes (10^6 bytes) per second each way, and milliseconds per connect + close.</summary>
    public sealed record Sample(NetBackend Backend, double UploadMBps, double DownloadMBps, double ConnectMs);

    /// <summary>Medians of one backend's samples.</summary>
    public sealed record Medians(double UploadMBps, double DownloadMBps, double ConnectMs);

    /// <summary>Gateway over QEMU user networking: throughput ratios (target ≥ 0.8) and the connect-time ratio (lower is better).</summary>
    public sealed record Ratios(double Upload, double Download, double ConnectTime);

    /// <summary>
    /// The spec's machine with an open policy that also allows the host's loopback (10.0.2.2 stands for
    /// 127.0.0.1, which an open policy denies unless <c>allow</c> lists it), and no forwards.
    /// </summary>
    public static MachineSpec ForBench(MachineSpec spec)
    {
        if (!EgressRule.TryParse("127.0.0.1", out var loopback, out var error))
            throw new InvalidOperationException(error);
        return spec with { Network = new NetworkSpec { Mode = NetworkMode.Gateway, Egress = null, Allow = [loopback], Forward = ForwardMode.None } };
    }

    /// <summary>
    /// Run with bash in the guest. Prints "upload NS", "download NS" and "connect NS COUNT" (nanoseconds
    /// of the guest's clock): <paramref name="bytes"/> to the sink (which answers one line once it has them
    /// all), the same from the source (which closes after them), then <paramref name="connections"/>
    /// sequential connects + closes.
    /// </summary>
    public static string GuestScript(NetBenchServers.Ports ports, long bytes, int connections) =>
        GuestScript(NetworkLayout.Gateway, ports, bytes, connections);

    /// <summary>The same against another address (the tests run it on the host, against 127.0.0.1).</summary>
    public static string GuestScript(System.Net.IPAddress host, NetBenchServers.Ports ports, long bytes, int connections)
    {
        return $"""
            set -e
            t0=$(date +%s%N)
            exec 3<>/dev/tcp/{host}/{ports.Sink}
            head -c {bytes} /dev/zero >&3
            read -r ack <&3
            exec 3>&-
            t1=$(date +%s%N)
            if [ "$ack" != ok ]; then echo "the sink answered '$ack'" >&2; exit 1; fi
            echo "upload $((t1 - t0))"
            t0=$(date +%s%N)
            cat </dev/tcp/{host}/{ports.Source} >/dev/null
            t1=$(date +%s%N)
            echo "download $((t1 - t0))"
            t0=$(date +%s%N)
            for ((i = 0; i < {connections}; i++)); do
              exec 3<>/dev/tcp/{host}/{ports.Accept}
              exec 3>&-
            done
            t1=$(date +%s%N)
            echo "connect $((t1 - t0)) {connections}"
            """;
    }

    /// <summary>Pure: the guest script's output as figures; null when a line is missing or malformed.</summary>
    public static Sample? ParseOutput(NetBackend backend, string output, long bytes)
    {
        long? upload = null, download = null, connect = null;
        var count = 0;
        foreach (var line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var words = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (words.Length < 2 || !long.TryParse(words[1], NumberStyles.None, CultureInfo.InvariantCulture, out var ns) || ns <= 0)
                continue;
            switch (words[0])
            {
                case "upload" when words.Length == 2: upload = ns; break;
                case "download" when words.Length == 2: download = ns; break;
                case "connect" when words.Length == 3 && int.TryParse(words[2], NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0:
                    connect = ns;
                    count = n;
                    break;
            }
        }
        return upload is { } up && download is { } down && connect is { } con
            ? new Sample(backend, MegabytesPerSecond(bytes, up), MegabytesPerSecond(bytes, down), con / 1e6 / count)
            : null;
    }

    public static double MegabytesPerSecond(long bytes, long nanoseconds) => bytes * 1000.0 / nanoseconds;

    /// <summary>Pure: the order of the boots, interleaved and alternating which backend goes first, so a host that grows busier mid-run weighs on both.</summary>
    public static IReadOnlyList<NetBackend> Schedule(int runs) =>
        [.. Enumerable.Range(0, runs).SelectMany(i => i % 2 == 0
            ? new[] { NetBackend.Gateway, NetBackend.QemuUser }
            : [NetBackend.QemuUser, NetBackend.Gateway])];

    public static Medians MediansOf(IEnumerable<Sample> samples)
    {
        var list = samples.ToList();
        return new Medians(Median(list.Select(s => s.UploadMBps)), Median(list.Select(s => s.DownloadMBps)), Median(list.Select(s => s.ConnectMs)));
    }

    public static Ratios RatiosOf(Medians gateway, Medians qemuUser) => new(
        Ratio(gateway.UploadMBps, qemuUser.UploadMBps), Ratio(gateway.DownloadMBps, qemuUser.DownloadMBps), Ratio(gateway.ConnectMs, qemuUser.ConnectMs));

    public static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count == 0 ? 0 : sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2.0;
    }

    private static double Ratio(double part, double whole) => whole > 0 ? part / whole : 0;

    /// <summary>
    /// One boot on <paramref name="backend"/>: the guest runs <see cref="GuestScript"/> against
    /// <paramref name="servers"/>, then powers off. <paramref name="boot"/>'s spec should come from <see cref="ForBench"/>.
    /// </summary>
    public async Task<Sample> MeasureOnceAsync(BootRequest boot, NetBackend backend, NetBenchServers servers, int connections, CancellationToken stop)
    {
        var request = boot with { Network = backend == NetBackend.QemuUser ? BootNetwork.QemuUser() : null };
        using var run = RunDirectory.Create(paths.Runs, boot.MachineName);
        var (vm, _) = await MachineBoot.StartAsync(paths, request, run, TextWriter.Null, stop).ConfigureAwait(false);
        await using (vm)
        {
            using var output = new MemoryStream();
            using var errors = new MemoryStream();
            var script = GuestScript(servers.Listening, servers.Bytes, connections);
            // A transfer that stalls (a gateway bug, a server that never answers) must end the bench, not hang it.
            using var limit = CancellationTokenSource.CreateLinkedTokenSource(stop);
            limit.CancelAfter(GuestTimeout(servers.Bytes, connections));
            int code;
            try
            {
                code = await CommandRelay.RunAsync(vm.Channel, 1, new ExecRequest { Argv = ["/bin/bash", "-c", script] },
                    new RunStreams(Stream.Null, output, errors, TextWriter.Null), limit.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!stop.IsCancellationRequested)
            {
                throw new LetheException($"the network bench in the guest took longer than {GuestTimeout(servers.Bytes, connections).TotalMinutes:0} minutes on {Describe(backend)} {servers.Failure}".Trim());
            }
            await MachineBoot.PowerOffAsync(vm, TimeSpan.FromSeconds(15)).ConfigureAwait(false);
            var text = Encoding.UTF8.GetString(output.ToArray());
            if (code != 0 || ParseOutput(backend, text, servers.Bytes) is not { } sample)
                throw new LetheException($"the network bench in the guest failed on {Describe(backend)} (exit {code}): " +
                    $"{Encoding.UTF8.GetString(errors.ToArray()).Trim()} {servers.Failure}".Trim());
            return sample;
        }
    }

    /// <summary>Generous even under TCG on a busy host: at least 1 MB/s each way and 1 s per connection, plus 5 minutes.</summary>
    public static TimeSpan GuestTimeout(long bytes, int connections) =>
        TimeSpan.FromMinutes(5) + TimeSpan.FromSeconds(2.0 * bytes / 1e6 + connections);

    public static string Describe(NetBackend backend) => backend == NetBackend.Gateway ? "lethe's gateway" : "QEMU user networking";
}
