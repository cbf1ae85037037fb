using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Threading.Channels;
using Microsoft.Win32.SafeHandles;

namespace Lethe.Machine.Warm;

/// <summary>
/// lethe's end of QEMU's monitor (QMP) on a socketpair QEMU inherits (<c>-chardev socket,fd=N</c>): the
/// greeting and capabilities handshake, one command at a time with its reply, events, and getfd (an fd
/// sent with SCM_RIGHTS). Everything QEMU says is read strictly (<see cref="QmpMessage.Parse"/>), one
/// line at a time, each line and the number of unread events capped.
/// </summary>
public sealed class QmpClient : IAsyncDisposable
{
    private const int MaxUnreadEvents = 1024;
    private readonly Socket _socket;
    private readonly SemaphoreSlim _oneCommand = new(1, 1);
    private readonly Channel<QmpMessage> _events = Channel.CreateBounded<QmpMessage>(new BoundedChannelOptions(MaxUnreadEvents) { FullMode = BoundedChannelFullMode.DropOldest });
    private readonly CancellationTokenSource _closing = new();
    private readonly byte[] _buffer = new byte[QmpMessage.MaxLineBytes + 2];
    private int _buffered;
    private TaskCompletionSource<QmpMessage>? _reply;
    private Task? _reader;

    private QmpClient(SafeSocketHandle handle) => _socket = new Socket(handle);

    /// <summary>A socketpair: the client on lethe's end, and QEMU's end to pass to QEMU (then dispose it).</summary>
    public static (QmpClient Client, SafeFileHandle QemuEnd) Create()
    {
        var (lethe, qemu) = QmpNative.SocketPair();
        return (new QmpClient(lethe), qemu);
    }

    /// <summary>Reads QEMU's greeting and leaves capabilities negotiation; after this, commands may be sent.</summary>
    public async Task ConnectAsync(CancellationToken stop)
    {
        var greeting = await ReadMessageAsync(stop).ConfigureAwait(false);
        if (greeting.Kind != QmpMessageKind.Greeting)
            throw new InvalidDataException("QEMU's monitor did not greet first");
        await _socket.SendAsync(QmpMessage.Command("qmp_capabilities"), SocketFlags.None, stop).ConfigureAwait(false);
        var reply = await ReadMessageAsync(stop).ConfigureAwait(false);
        if (reply.Kind != QmpMessageKind.Return)
            throw new QmpException("qmp_capabilities", reply);
        _reader = Task.Run(ReadLoopAsync);
    }

    /// <summary>Runs <paramref name="name"/> and returns its reply's value as raw JSON; a QMP error throws <see cref="QmpException"/>.</summary>
    public Task<string> ExecuteAsync(string name, IReadOnlyDictionary<string, string>? arguments, CancellationToken stop) =>
        RoundTripAsync(name, QmpMessage.Command(name, arguments), passed: null, stop);

    /// <summary>Gives QEMU <paramref name="fd"/> under <paramref name="fdName"/> (for <c>migrate uri=fd:NAME</c>).</summary>
    public Task<string> GetFdAsync(string fdName, SafeHandle fd, CancellationToken stop) =>
        RoundTripAsync("getfd", QmpMessage.Command("getfd", new Dictionary<string, string> { ["fdname"] = fdName }), fd, stop);

    /// <summary>The next event named <paramref name="name"/>, skipping others; the JSON of its data.</summary>
    public async Task<string?> WaitForEventAsync(string name, CancellationToken stop)
    {
        while (true)
        {
            var message = await _events.Reader.ReadAsync(stop).ConfigureAwait(false);
            if (message.EventName == name)
                return message.ReturnJson;
        }
    }

    private async Task<string> RoundTripAsync(string name, byte[] command, SafeHandle? passed, CancellationToken stop)
    {
        if (_reader is null)
            throw new InvalidOperationException("QMP is not connected");
        await _oneCommand.WaitAsync(stop).ConfigureAwait(false);
        try
        {
            var reply = new TaskCompletionSource<QmpMessage>(TaskCreationOptions.RunContinuationsAsynchronously);
            Volatile.Write(ref _reply, reply);
            if (_reader.IsCompleted)
                await _reader.ConfigureAwait(false);
            if (passed is null)
                await _socket.SendAsync(command, SocketFlags.None, stop).ConfigureAwait(false);
            else
                QmpNative.SendWithFd(_socket.SafeHandle, command, passed, stop);
            var message = await reply.Task.WaitAsync(stop).ConfigureAwait(false);
            return message.Kind == QmpMessageKind.Return ? message.ReturnJson ?? "{}" : throw new QmpException(name, message);
        }
        finally
        {
            Volatile.Write(ref _reply, null);
            _oneCommand.Release();
        }
    }

    private async Task ReadLoopAsync()
    {
        try
        {
            while (true)
            {
                var message = await ReadMessageAsync(_closing.Token).ConfigureAwait(false);
                if (message.Kind == QmpMessageKind.Event)
                    _events.Writer.TryWrite(message);
                else if (message.Kind == QmpMessageKind.Greeting || Volatile.Read(ref _reply) is not { } waiting || !waiting.TrySetResult(message))
                    throw new InvalidDataException("QEMU's monitor sent a reply nobody asked for");
            }
        }
        catch (Exception e)
        {
            _events.Writer.TryComplete(e);
            Volatile.Read(ref _reply)?.TrySetException(e is OperationCanceledException ? new IOException("QMP closed") : e);
            throw;
        }
    }

    private async Task<QmpMessage> ReadMessageAsync(CancellationToken stop)
    {
        while (true)
        {
            var newline = Array.IndexOf(_buffer, (byte)'\n', 0, _buffered);
            if (newline >= 0)
            {
                var line = _buffer.AsSpan(0, newline).TrimEnd((byte)'\r');
                var message = QmpMessage.Parse(line);
                _buffer.AsSpan(newline + 1, _buffered - newline - 1).CopyTo(_buffer);
                _buffered -= newline + 1;
                return message;
            }
            if (_buffered == _buffer.Length)
                throw new InvalidDataException("a QMP message is too long");
            var read = await _socket.ReceiveAsync(_buffer.AsMemory(_buffered), SocketFlags.None, stop).ConfigureAwait(false);
            if (read == 0)
                throw new IOException("QEMU's monitor closed");
            _buffered += read;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _closing.CancelAsync().ConfigureAwait(false);
        _socket.Dispose();
        if (_reader is not null)
            await Task.WhenAny(_reader).ConfigureAwait(false);
        _closing.Dispose();
        _oneCommand.Dispose();
    }
}

/// <summary>QEMU refused a QMP command.</summary>
public sealed class QmpException(string command, QmpMessage reply)
    : Exception($"QEMU refused {command}: {Lethe.Protocol.UntrustedText.ForLine(reply.ErrorText ?? reply.Kind.ToString())}")
{
    public string? ErrorClass { get; } = reply.ErrorClass;
}
