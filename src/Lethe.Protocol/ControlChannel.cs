using System.Text;

namespace Lethe.Protocol;

/// <summary>
/// Newline-delimited JSON over any byte stream (a pipe to QEMU's stdio chardev on the host, the
/// virtio-serial port in the guest). Writes are serialized so that output pumps on several threads
/// never interleave half lines.
/// </summary>
public sealed class ControlChannel : IDisposable
{
    private readonly Stream _input;
    private readonly Stream _output;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly byte[] _buffer = new byte[64 * 1024];
    private readonly MemoryStream _pending = new();
    private int _bufferStart;
    private int _bufferEnd;

    public ControlChannel(Stream input, Stream output)
    {
        _input = input;
        _output = output;
    }

    public async Task SendAsync(ControlMessage message, CancellationToken cancellationToken = default)
    {
        var line = Encoding.UTF8.GetBytes(ProtocolJson.Serialize(message) + "\n");
        await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await _output.WriteAsync(line, cancellationToken).ConfigureAwait(false);
            await _output.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    public void Send(ControlMessage message)
    {
        var line = Encoding.UTF8.GetBytes(ProtocolJson.Serialize(message) + "\n");
        _writeLock.Wait();
        try
        {
            _output.Write(line);
            _output.Flush();
        }
        finally
        {
            _writeLock.Release();
        }
    }

    /// <summary>The next message, or null at end of stream. Lines that are not JSON messages are skipped.</summary>
    public async Task<ControlMessage?> ReceiveAsync(CancellationToken cancellationToken = default)
    {
        while (true)
        {
            var line = await ReadLineAsync(cancellationToken).ConfigureAwait(false);
            if (line is null)
                return null;
            if (TryParse(line) is { } message)
                return message;
        }
    }

    public static ControlMessage? TryParse(string line)
    {
        line = line.Trim();
        if (line.Length == 0 || line[0] != '{')
            return null;
        try
        {
            return ProtocolJson.DeserializeMessage(line);
        }
        catch (System.Text.Json.JsonException)
        {
            return null;
        }
    }

    private async Task<string?> ReadLineAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var newline = Array.IndexOf(_buffer, (byte)'\n', _bufferStart, _bufferEnd - _bufferStart);
            if (newline >= 0)
            {
                _pending.Write(_buffer, _bufferStart, newline - _bufferStart);
                _bufferStart = newline + 1;
                var line = Encoding.UTF8.GetString(_pending.GetBuffer(), 0, (int)_pending.Length);
                _pending.SetLength(0);
                return line;
            }
            _pending.Write(_buffer, _bufferStart, _bufferEnd - _bufferStart);
            _bufferStart = _bufferEnd = 0;
            var read = await _input.ReadAsync(_buffer, cancellationToken).ConfigureAwait(false);
            if (read == 0)
                return null;
            _bufferEnd = read;
        }
    }

    public void Dispose() => _writeLock.Dispose();
}
