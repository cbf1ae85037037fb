using System.Net;
using System.Net.Sockets;
using Lethe.Core;
using Lethe.Machine.SignedChannel;

namespace Lethe.Tests.SignedChannel;

/// <summary>The HTTP side of a channel against a listener on 127.0.0.1: redirects, missing files, size caps, deadlines.</summary>
public sealed class HttpChannelSourceTests : IAsyncDisposable
{
    private readonly HttpListener listener = new();
    private readonly Task loop;
    private readonly string url;

    public HttpChannelSourceTests()
    {
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        url = $"http://127.0.0.1:{((IPEndPoint)probe.LocalEndpoint).Port}/c/";
        probe.Stop();
        listener.Prefixes.Add(url);
        listener.Start();
        loop = Task.Run(ServeAsync);
    }

    private async Task ServeAsync()
    {
        while (listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException)
            {
                return;
            }
            _ = Task.Run(async () =>
            {
                var response = context.Response;
                try
                {
                    switch (context.Request.Url!.AbsolutePath)
                    {
                        case "/c/downgrade/channel.json":
                            response.StatusCode = 302;
                            response.RedirectLocation = "https://127.0.0.1:1/channel.json";
                            break;
                        case "/c/moved/channel.json":
                            response.StatusCode = 301;
                            response.RedirectLocation = "/c/channel.json";
                            break;
                        case "/c/channel.json":
                            await response.OutputStream.WriteAsync("{}"u8.ToArray());
                            break;
                        case "/c/big/channel.json":
                            response.ContentLength64 = ChannelManifestText.MaxManifestBytes + 1;
                            await response.OutputStream.WriteAsync(new byte[ChannelManifestText.MaxManifestBytes + 1]);
                            break;
                        case "/c/slow/channel.json":
                            await Task.Delay(TimeSpan.FromSeconds(20));
                            break;
                        default:
                            response.StatusCode = 404;
                            break;
                    }
                    response.Close();
                }
                catch (Exception e) when (e is HttpListenerException or IOException or ObjectDisposedException)
                {
                }
            });
        }
    }

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private HttpChannelSource Source(string folder, double timeoutSeconds = 10) => new(new Uri(url + folder), TimeSpan.FromSeconds(timeoutSeconds));

    [Fact(Timeout = 30_000)]
    public async Task A_file_and_a_same_scheme_redirect_are_read_and_a_missing_file_is_null()
    {
        using var source = Source("");
        (await source.ReadSmallAsync("channel.json", 1024, Token)).ShouldBe("{}"u8.ToArray());
        (await source.ReadSmallAsync("channel.json.sig", 1024, Token)).ShouldBeNull();
        using var moved = Source("moved/");
        (await moved.ReadSmallAsync("channel.json", 1024, Token)).ShouldBe("{}"u8.ToArray());
    }

    [Fact(Timeout = 30_000)]
    public async Task A_redirect_to_another_scheme_is_refused()
    {
        using var source = Source("downgrade/");
        var error = await Should.ThrowAsync<LetheException>(() => source.ReadSmallAsync("channel.json", 1024, Token));
        error.Message.ShouldContain("redirects to https://, another scheme; refused");
    }

    [Fact(Timeout = 30_000)]
    public async Task A_manifest_larger_than_the_cap_is_refused()
    {
        using var source = Source("big/");
        var error = await Should.ThrowAsync<ChannelRefusedException>(() => source.ReadSmallAsync("channel.json", ChannelManifestText.MaxManifestBytes, Token));
        error.Message.ShouldContain("larger than");
    }

    [Fact(Timeout = 30_000)]
    public async Task A_server_that_does_not_answer_meets_the_deadline()
    {
        using var source = Source("slow/", timeoutSeconds: 1);
        var error = await Should.ThrowAsync<LetheException>(() => source.ReadSmallAsync("channel.json", 1024, Token));
        error.Message.ShouldContain("no answer for channel.json within 1 s");
    }

    public async ValueTask DisposeAsync()
    {
        listener.Stop();
        listener.Close();
        await loop;
    }
}
