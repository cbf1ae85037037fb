using System.Text;
using Lethe.Machine.Workstation;

namespace Lethe.Machine.Network.Log;

/// <summary>
/// The decision log on disk: JSON lines in a private file, size-capped by keeping one older generation
/// (<c>PATH.1</c>) beside the current one. Every file is created with O_CREAT|O_EXCL (mode 0600): whatever
/// is found at the path, a planted link included, is renamed away (rename moves a link, never its target)
/// and never opened. Writing never throws: a full disk loses log lines, not the machine's network.
/// </summary>
public sealed class DecisionLogFile : IDecisionSink, IDisposable
{
    public const long DefaultCapBytes = 4 * 1024 * 1024;
    public const string FileName = "net.log";

    private readonly object _gate = new();
    private readonly string _path;
    private readonly long _capBytes;
    private FileStream? _stream;
    private bool _disposed;

    private DecisionLogFile(string path, long capBytes)
    {
        _path = path;
        _capBytes = capBytes;
        _stream = StartGeneration();
    }

    /// <summary>The decision log of a workstation: in its (private) machine folder.</summary>
    public static string PathFor(MachineFolder folder) => Path.Combine(folder.Path, FileName);

    public static string OlderGeneration(string path) => path + ".1";

    /// <summary>Opens a new log at <paramref name="path"/>, keeping what was there as the older generation.</summary>
    public static DecisionLogFile Open(string path, long capBytes = DefaultCapBytes) => new(path, capBytes);

    public long LinesLost { get; private set; }

    public void Write(DecisionRecord record)
    {
        var bytes = Encoding.UTF8.GetBytes(DecisionJson.Line(record) + "\n");
        lock (_gate)
        {
            if (_disposed)
                return;
            try
            {
                if (_stream is null || _stream.Length + bytes.Length > _capBytes)
                {
                    _stream?.Dispose();
                    _stream = null;
                    _stream = StartGeneration();
                }
                _stream.Write(bytes);
                _stream.Flush();
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                LinesLost++;
            }
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _disposed = true;
            _stream?.Dispose();
            _stream = null;
        }
    }

    private FileStream StartGeneration()
    {
        if (Lethe.Core.PosixFiles.LStat(_path) is not null)
            File.Move(_path, OlderGeneration(_path), overwrite: true);
        return new FileStream(_path, new FileStreamOptions
        {
            Mode = FileMode.CreateNew,
            Access = FileAccess.Write,
            Share = FileShare.Read,
            UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
        });
    }
}
