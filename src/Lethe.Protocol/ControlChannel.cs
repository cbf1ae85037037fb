using System.Text;

namespace Lethe.Protocol;

/// <summary>
/// Newline-delimited JSON over any byte stream (a pipe to QEMU's stdio chardev on the host, the
/// virtio-serial port in the guest, a supervisor's Unix socket). Writes are serialized so that output
/// pumps on several threads never interleave half lines.
/// Reading is strict, since the other end may be hostile (a guest): a line longer than the cap, or one
/// that is not a well-formed message, ends the channel with a <see cref="ControlChannelException"/>;
/// at most the cap is ever held in memory. Text meant for people arrives cleaned (<see cref="ControlMessages.CleanText"/>).
/// </summary>
public sealed class ControlChannel : IDisposable
{
    /// <summary>
    /// The largest message, as a line of UTF-8 JSON. The largest legitimate ones are output and input
    /// chunks (16 KiB, about 22 KiB in base64) and an exec request; 1 MiB leaves room for a long command line.
    /// </summary>
    public const int DefaultMaxMessageBytes = 1024 * 1024;

    private readonly Stream _input;
    private readonly Stream _output;
    private readonly int _maxMessageBytes;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly byte[] _buffer = new byte[64 * 1024];
    private readonly MemoryStream _pending = new();
    private int _bufferStart;
    private int _bufferEnd;
    private ControlChannelException? _broken;

    public ControlChannel(Stream input, Stream output, int maxMessageBytes = DefaultMaxMessageBytes)
    {
        _input = input;
        _output = output;
        _maxMessageBytes = maxMessageBytes;
    }

    public async Task SendAsync(ControlMessage message, CancellationToken cancellationToken = default)
    {
        var line = Encode(message);
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
        var line = Encode(message);
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

    /// <summary>
    /// The next message, or null at end of stream. Blank lines are skipped; anything else that is not a
    /// message within the cap throws <see cref="ControlChannelException"/>, now and at every later call.
    /// </summary>
    public async Task<ControlMessage?> ReceiveAsync(CancellationToken cancellationToken = default)
    {
        while (true)
        {
            if (_broken is not null)
                throw _broken;
            var line = await ReadLineAsync(cancellationToken).ConfigureAwait(false);
            if (line is null)
                return null;
            if (line.Trim().Length == 0)
                continue;
            try
            {
                return ControlMessages.Parse(line).CleanText();
            }
            catch (ControlChannelException e)
            {
                throw _broken = e;
            }
        }
    }

    /// <summary>The message on one line, or null when it is not one (tests and logs).</summary>
    public static ControlMessage? TryParse(string line)
    {
        try
        {
            return ControlMessages.Parse(line);
        }
        catch (ControlChannelException)
        {
            return null;
        }
    }

    private byte[] Encode(ControlMessage message)
    {
        var line = Encoding.UTF8.GetBytes(ProtocolJson.Serialize(message) + "\n");
        if (line.Length - 1 > _maxMessageBytes)
            throw new ControlChannelException($"a {message.Type} message of {ControlMessages.Size(line.Length - 1)} is over the control channel's limit of {ControlMessages.Size(_maxMessageBytes)}");
        return line;
    }

    private async Task<string?> ReadLineAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var newline = Array.IndexOf(_buffer, (byte)'\n', _bufferStart, _bufferEnd - _bufferStart);
            var end = newline >= 0 ? newline : _bufferEnd;
            if (_pending.Length + (end - _bufferStart) > _maxMessageBytes)
            {
                _pending.SetLength(0);
                _bufferStart = _bufferEnd = 0;
                throw _broken = new ControlChannelException($"a control message is longer than {ControlMessages.Size(_maxMessageBytes)}");
            }
            _pending.Write(_buffer, _bufferStart, end - _bufferStart);
            if (newline >= 0)
            {
                _bufferStart = newline + 1;
                var line = Encoding.UTF8.GetString(_pending.GetBuffer(), 0, (int)_pending.Length);
                _pending.SetLength(0);
                return line;
            }
            _bufferStart = _bufferEnd = 0;
            var read = await _input.ReadAsync(_buffer, cancellationToken).ConfigureAwait(false);
            if (read == 0)
                return null;
            _bufferEnd = read;
        }
    }

    public void Dispose() => _writeLock.Dispose();
}
