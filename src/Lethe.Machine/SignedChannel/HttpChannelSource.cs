using System.Net;
using Lethe.Core;

namespace Lethe.Machine.SignedChannel;

/// <summary>
/// A channel over HTTP(S). Redirects are followed by hand, at most 5 and only to the same scheme (an https
/// channel never falls to http); each request has a deadline; 404 means the file is missing.
/// </summary>
public sealed class HttpChannelSource : IChannelSource
{
    private const int MaxRedirects = 5;
    private readonly Uri baseUrl;
    private readonly TimeSpan timeout;
    private readonly HttpClient client;

    public HttpChannelSource(Uri baseUrl, TimeSpan timeout)
    {
        this.baseUrl = baseUrl;
        this.timeout = timeout;
        client = new HttpClient(new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            ConnectTimeout = TimeSpan.FromSeconds(30),
            AutomaticDecompression = DecompressionMethods.None,
            UseCookies = false,
        })
        {
            Timeout = Timeout.InfiniteTimeSpan,
        };
    }

    public async Task<Stream?> OpenAsync(string relative, CancellationToken cancellationToken)
    {
        var url = new Uri(baseUrl, relative);
        var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        try
        {
            for (var hop = 0; hop <= MaxRedirects; hop++)
            {
                var response = await client.GetAsync(url, HttpCompletionOption.ResponseHeadersRead, deadline.Token).ConfigureAwait(false);
                if (IsRedirect(response.StatusCode) && response.Headers.Location is { } location)
                {
                    var next = location.IsAbsoluteUri ? location : new Uri(url, location);
                    response.Dispose();
                    if (next.Scheme != baseUrl.Scheme)
                        throw new LetheException($"channel {baseUrl}: {url} redirects to {next.Scheme}://, another scheme; refused");
                    url = next;
                    continue;
                }
                if (response.StatusCode == HttpStatusCode.NotFound)
                {
                    response.Dispose();
                    deadline.Dispose();
                    return null;
                }
                if (!response.IsSuccessStatusCode)
                {
                    response.Dispose();
                    throw new LetheException($"channel {baseUrl}: {url} answered HTTP {(int)response.StatusCode} {response.ReasonPhrase}");
                }
                var body = await response.Content.ReadAsStreamAsync(deadline.Token).ConfigureAwait(false);
                return new DeadlineStream(body, response, deadline);
            }
            throw new LetheException($"channel {baseUrl}: more than {MaxRedirects} redirects for {relative}");
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            deadline.Dispose();
            throw new LetheException($"channel {baseUrl}: no answer for {relative} within {timeout.TotalSeconds:0} s");
        }
        catch (HttpRequestException e)
        {
            deadline.Dispose();
            throw new LetheException($"channel {baseUrl}: cannot fetch {relative}: {e.Message}");
        }
        catch
        {
            deadline.Dispose();
            throw;
        }
    }

    public void Dispose() => client.Dispose();

    private static bool IsRedirect(HttpStatusCode status) => (int)status is >= 300 and < 400;

    /// <summary>The body of a response, read under its request's deadline; disposing frees both.</summary>
    private sealed class DeadlineStream(Stream inner, HttpResponseMessage response, CancellationTokenSource deadline) : Stream
    {
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            using var both = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
            try
            {
                return await inner.ReadAsync(buffer, both.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new LetheException($"channel download of {response.RequestMessage?.RequestUri} did not finish in time");
            }
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
                response.Dispose();
                deadline.Dispose();
            }
            base.Dispose(disposing);
        }
    }
}
