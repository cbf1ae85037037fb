using System.Globalization;

namespace Lethe.Machine.Run;

/// <summary>
/// The private folder of one boot: the run's initramfs, its console log, and an owner file naming the
/// lethe and QEMU processes so that a later start can tell a live run from a dead one's leftovers.
/// </summary>
public sealed class RunDirectory : IDisposable
{
    private const string OwnerFile = "owner";
    private const int KeptLogs = 20;
    private string? _keepLogAt;
    private readonly List<IDisposable> _owned = [];

    private RunDirectory(string path) => Path = path;

    public string Path { get; }
    public string Initramfs => System.IO.Path.Combine(Path, "initramfs.cpio");
    public string ConsoleLog => System.IO.Path.Combine(Path, "console.log");
    public string Seed => System.IO.Path.Combine(Path, "seed.json");

    public static RunDirectory Create(string runsRoot, string name)
    {
        Directory.CreateDirectory(runsRoot, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var path = System.IO.Path.Combine(runsRoot, $"{name}-{Environment.ProcessId}-{Guid.NewGuid().ToString("N")[..8]}");
        Directory.CreateDirectory(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var run = new RunDirectory(path);
        run.WriteOwner(null);
        return run;
    }

    public void WriteOwner(int? qemuPid)
    {
        var self = ProcessIdentity.Of(Environment.ProcessId);
        var qemu = qemuPid is { } pid ? ProcessIdentity.Of(pid) : null;
        // Written aside and renamed: a concurrent CleanStale must never read a half-written owner.
        var owner = System.IO.Path.Combine(Path, OwnerFile);
        File.WriteAllText(owner + ".new", $"{self}\n{qemu}\n");
        File.Move(owner + ".new", owner, overwrite: true);
    }

    /// <summary>Keeps the console log after the run (failures, --debug): it moves to the logs folder,
    /// which holds the last few, while the run folder itself is always removed.</summary>
    public string KeepLog(string logsRoot) =>
        _keepLogAt ??= System.IO.Path.Combine(logsRoot, System.IO.Path.GetFileName(Path) + ".console.log");

    /// <summary>Keeps the console log at exactly this path (a workstation's last boot log).</summary>
    public void KeepLogAs(string destination) => _keepLogAt = destination;

    /// <summary>Something that lives and dies with this run (its scratch file).</summary>
    public T Own<T>(T disposable) where T : IDisposable
    {
        _owned.Add(disposable);
        return disposable;
    }

    public string Name => System.IO.Path.GetFileName(Path);

    public void Dispose()
    {
        foreach (var owned in _owned)
            owned.Dispose();
        if (_keepLogAt is { } destination && File.Exists(ConsoleLog))
        {
            Directory.CreateDirectory(System.IO.Path.GetDirectoryName(destination)!);
            File.Move(ConsoleLog, destination, overwrite: true);
            File.SetUnixFileMode(destination, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            foreach (var old in new DirectoryInfo(System.IO.Path.GetDirectoryName(destination)!).GetFiles("*-*-*.console.log")
                         .OrderByDescending(f => f.LastWriteTimeUtc).Skip(KeptLogs))
                old.Delete();
        }
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    /// <summary>Removes the folders of runs whose lethe is gone, killing a QEMU they left behind.</summary>
    public static int CleanStale(string runsRoot)
    {
        if (!Directory.Exists(runsRoot))
            return 0;
        var cleaned = 0;
        foreach (var dir in Directory.EnumerateDirectories(runsRoot))
        {
            var ownerFile = System.IO.Path.Combine(dir, OwnerFile);
            string[] lines;
            try
            {
                lines = File.ReadAllLines(ownerFile);
            }
            catch (IOException)
            {
                continue;
            }
            var owner = lines.Length > 0 ? ProcessIdentity.Parse(lines[0]) : null;
            if (owner is not null && owner.IsAlive())
                continue;
            if (lines.Length > 1 && ProcessIdentity.Parse(lines[1]) is { } qemu && qemu.IsAlive())
                qemu.Kill();
            try
            {
                Directory.Delete(dir, recursive: true);
                cleaned++;
            }
            catch (IOException)
            {
            }
        }
        return cleaned;
    }
}

/// <summary>A pid plus its start time, so that a recycled pid is never mistaken for the process.</summary>
public sealed record ProcessIdentity(int Pid, long StartTicks)
{
    public override string ToString() => $"{Pid} {StartTicks}";

    public static ProcessIdentity? Parse(string line)
    {
        var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return parts.Length == 2 && int.TryParse(parts[0], out var pid) && long.TryParse(parts[1], out var start)
            ? new ProcessIdentity(pid, start)
            : null;
    }

    public static ProcessIdentity Of(int pid) => new(pid, StartTimeOf(pid) ?? 0);

    public bool IsAlive() => StartTimeOf(Pid) == StartTicks;

    public void Kill()
    {
        try
        {
            System.Diagnostics.Process.GetProcessById(Pid).Kill();
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception)
        {
        }
    }

    /// <summary>Field 22 of /proc/PID/stat: start time in clock ticks since boot.</summary>
    private static long? StartTimeOf(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var afterName = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return long.Parse(afterName[19], CultureInfo.InvariantCulture);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            return null;
        }
    }
}
