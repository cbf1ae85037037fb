using System.Globalization;
using System.Net.Sockets;
using System.Text;
using Lethe.Machine.Network.Gateway;

namespace Lethe.Tests.Network;

/// <summary>The gateway against the Linux kernel's own TCP/IP stack as the guest (a TAP device in a fresh
/// network namespace; root only), with curl as the guest's client and an HTTP server on 127.0.0.1.</summary>
public sealed class RealStackTests
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;
    private const int Size = 32 << 20;

    private static async Task ServeAsync(Socket socket, CancellationToken cancellationToken)
    {
        var head = new StringBuilder();
        var one = new byte[1];
        while (!head.ToString().EndsWith("\r\n\r\n", StringComparison.Ordinal))
        {
            if (await socket.ReceiveAsync(one, SocketFlags.None, cancellationToken) == 0)
                return;
            head.Append((char)one[0]);
        }
        var lines = head.ToString().Split("\r\n");
        if (lines[0].StartsWith("POST", StringComparison.Ordinal))
        {
            var length = long.Parse(lines.First(l => l.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase))[15..].Trim(), CultureInfo.InvariantCulture);
            var buffer = new byte[65536];
            long total = 0;
            while (total < length)
            {
                var read = await socket.ReceiveAsync(buffer, SocketFlags.None, cancellationToken);
                if (read == 0)
                    break;
                total += read;
            }
            var reply = $"{total}";
            await socket.SendAsync(Encoding.ASCII.GetBytes($"HTTP/1.0 200 OK\r\nContent-Length: {reply.Length}\r\n\r\n{reply}"), SocketFlags.None, cancellationToken);
        }
        else
        {
            await socket.SendAsync(Encoding.ASCII.GetBytes($"HTTP/1.0 200 OK\r\nContent-Length: {Size}\r\n\r\n"), SocketFlags.None, cancellationToken);
            var chunk = new byte[1 << 20];
            for (var sent = 0; sent < Size; sent += chunk.Length)
                await socket.SendAsync(chunk, SocketFlags.None, cancellationToken);
        }
        socket.Shutdown(SocketShutdown.Send);
    }

    [Fact(Timeout = 120000)]
    public async Task Linux_as_the_guest_downloads_and_uploads_through_the_gateway_and_is_refused_where_denied()
    {
        Assert.SkipUnless(TapGuest.Possible, "needs root and /dev/net/tun to put a kernel TCP stack behind the gateway");
        var policy = new TestPolicy();
        await using var server = new TestServer(ServeAsync);
        policy.AllowedPorts.Add(server.Port);
        await using var gateway = NetworkGateway.Start(policy, new GatewayOptions());
        await using var guest = await TapGuest.StartAsync(gateway, Cancel);
        var url = $"http://10.0.2.2:{server.Port}/";

        var download = (await guest.ExecAsync(Cancel, "curl", "-sS", "-o", "/dev/null", "-w", "%{size_download} %{speed_download}", url)).Split(' ');
        long.Parse(download[0], CultureInfo.InvariantCulture).ShouldBe(Size);

        var upload = await guest.ExecAsync(Cancel, "sh", "-c",
            $"head -c {Size} /dev/zero | curl -sS -H 'Expect:' -H 'Content-Type: application/octet-stream' --data-binary @- -w ' %{{speed_upload}}' {url}");
        var uploadParts = upload.Split(' ');
        long.Parse(uploadParts[0], CultureInfo.InvariantCulture).ShouldBe(Size);

        TestContext.Current.AddAttachment("throughput", $"download {double.Parse(download[1], CultureInfo.InvariantCulture) / 1e6:F1} MB/s, upload {double.Parse(uploadParts[1], CultureInfo.InvariantCulture) / 1e6:F1} MB/s");
        Console.Error.WriteLine($"gateway throughput (kernel guest): download {double.Parse(download[1], CultureInfo.InvariantCulture) / 1e6:F1} MB/s, upload {double.Parse(uploadParts[1], CultureInfo.InvariantCulture) / 1e6:F1} MB/s");

        var denied = GatewayRelayTests.FreePort();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var refused = await guest.ExecAsync(Cancel, "sh", "-c", $"curl -sS -o /dev/null http://10.0.2.2:{denied}/ 2>&1; echo \" exit=$?\"");
        refused.ShouldContain("exit=7"); // couldn't connect
        clock.Elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(5), "denied fails at once");
        gateway.FrameFaults.ShouldBe(0);
    }
}
