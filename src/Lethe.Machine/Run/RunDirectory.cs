using System.Globalization;
using Lethe.Core;

namespace Lethe.Machine.Run;

/// <summary>
/// The private folder of one boot: the seed's readable copy, its console log, and an owner file naming the
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
    public string ConsoleLog => System.IO.Path.Combine(Path, "console.log");
    public string Seed => System.IO.Path.Combine(Path, "seed.json");
    /// <summary>A one-shot run's decision log of the egress policy (a workstation's is in its machine folder).</summary>
    public string NetworkLog => System.IO.Path.Combine(Path, Network.Log.DecisionLogFile.FileName);

    /// <summary>Checks (or makes) the runtime base and its runs folder private, then makes a new run folder
    /// in it exclusively: a planted link or another user's folder on the way is refused with exit 3.</summary>
    public static RunDirectory Create(string runsRoot, string name)
    {
        EnsurePrivate(runsRoot);
        var path = System.IO.Path.Combine(runsRoot, $"{name}-{Environment.ProcessId}-{Guid.NewGuid().ToString("N")[..8]}");
        PrivateFolder.CreateNew(path);
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
        File.Delete(owner + ".new");
        using (var file = new FileStream(owner + ".new", new FileStreamOptions
               { Mode = FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite }))
        using (var text = new StreamWriter(file))
            text.Write($"{self}\n{qemu}\n");
        File.Move(owner + ".new", owner, overwrite: true);
    }

    /// <summary>The runtime base is checked too when it is one that <see cref="LethePaths"/> names (only
    /// lethe's own folders are ever made private; a runs folder elsewhere, as in tests, is checked alone).</summary>
    private static void EnsurePrivate(string runsRoot)
    {
        if (System.IO.Path.GetDirectoryName(System.IO.Path.TrimEndingDirectorySeparator(runsRoot)) is { } runtimeBase
            && LethePaths.IsRuntimeBaseName(System.IO.Path.GetFileName(runtimeBase)))
            PrivateFolder.Ensure(runtimeBase);
        PrivateFolder.Ensure(runsRoot);
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
        if (_keepLogAt is { } destination && PosixFiles.LStat(ConsoleLog) is { IsRegularFile: true })
        {
            try
            {
                KeepConsoleLog(destination);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or LetheException)
            {
                // The log is a convenience; a run folder that cannot keep it is still removed below.
            }
        }
        SafeDelete.Tree(Path);
    }

    private void KeepConsoleLog(string destination)
    {
        var folder = PrivateFolder.Ensure(System.IO.Path.GetDirectoryName(destination)!);
        // rename(2) replaces whatever is at the destination (a link too) without following it.
        File.Move(ConsoleLog, destination, overwrite: true);
        PosixFiles.SetModeNoFollow(destination, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        foreach (var old in new DirectoryInfo(folder).GetFiles("*-*-*.console.log")
                     .OrderByDescending(f => f.LastWriteTimeUtc).Skip(KeptLogs))
            old.Delete();
        // A one-shot run's network decisions go with its console log (a workstation keeps its own in its folder).
        const string consoleSuffix = ".console.log";
        if (destination.EndsWith(consoleSuffix, StringComparison.Ordinal) && PosixFiles.LStat(NetworkLog) is { IsRegularFile: true })
        {
            var kept = destination[..^consoleSuffix.Length] + ".net.log";
            File.Move(NetworkLog, kept, overwrite: true);
            PosixFiles.SetModeNoFollow(kept, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            foreach (var old in new DirectoryInfo(folder).GetFiles("*-*-*.net.log")
                         .OrderByDescending(f => f.LastWriteTimeUtc).Skip(KeptLogs))
                old.Delete();
        }
    }

    /// <summary>
    /// Removes the folders of runs whose lethe is gone, killing a QEMU they left behind. Only folders and
    /// owner files that are this user's own (not links) are trusted, and a process is signalled only when
    /// it is provably that QEMU (<see cref="ProcessIdentity.IsLeftoverQemu"/>); in doubt, nothing is signalled.
    /// </summary>
    public static int CleanStale(string runsRoot)
    {
        if (PosixFiles.LStat(runsRoot) is null)
            return 0;
        EnsurePrivate(runsRoot);
        var uid = PosixFiles.EffectiveUid;
        var cleaned = 0;
        foreach (var dir in Directory.EnumerateFileSystemEntries(runsRoot))
        {
            if (PosixFiles.LStat(dir) is not { IsDirectory: true } facts || facts.Uid != uid)
                continue;
            var ownerFile = System.IO.Path.Combine(dir, OwnerFile);
            if (PosixFiles.LStat(ownerFile) is not { IsRegularFile: true } ownerFacts || ownerFacts.Uid != uid || ownerFacts.Size > 4096)
                continue;
            string[] lines;
            try
            {
                using var handle = PosixFiles.OpenNoFollow(ownerFile);
                using var stream = new FileStream(handle, FileAccess.Read);
                lines = new StreamReader(stream).ReadToEnd().Split('\n');
            }
            catch (IOException)
            {
                continue;
            }
            var owner = lines.Length > 0 ? ProcessIdentity.Parse(lines[0]) : null;
            if (owner is not null && owner.IsAlive())
                continue;
            if (lines.Length > 1 && ProcessIdentity.Parse(lines[1]) is { } qemu && qemu.IsLeftoverQemu(uid))
                qemu.Kill();
            if (SafeDelete.Tree(dir))
                cleaned++;
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

    public bool IsAlive() => StartTicks != 0 && StartTimeOf(Pid) == StartTicks;

    /// <summary>
    /// True only when this pid is still the process it was (same start time), runs a QEMU binary, and runs
    /// as an account lethe gives QEMU: the caller's own, or, when the caller is root, never root (QEMU then
    /// runs unprivileged). Anything unreadable counts as "no": lethe never signals a process it cannot prove it started.
    /// </summary>
    public bool IsLeftoverQemu(int callerUid)
    {
        if (!IsAlive())
            return false;
        try
        {
            var exe = System.IO.Path.GetFileName(File.ResolveLinkTarget($"/proc/{Pid}/exe", returnFinalTarget: false)?.FullName ?? "");
            var uid = RealUidOf(Pid);
            return IsQemuAccount(exe, uid, callerUid) && IsAlive();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>Pure: the binary's name and account a QEMU started by lethe has.</summary>
    public static bool IsQemuAccount(string executableName, int? processUid, int callerUid) =>
        executableName.StartsWith("qemu-system-", StringComparison.Ordinal)
        && processUid is { } uid
        && (callerUid == 0 ? uid != 0 : uid == callerUid);

    private static int? RealUidOf(int pid)
    {
        var line = File.ReadLines($"/proc/{pid}/status").FirstOrDefault(l => l.StartsWith("Uid:", StringComparison.Ordinal));
        var fields = line?.Split('\t', StringSplitOptions.RemoveEmptyEntries);
        return fields is { Length: > 1 } && int.TryParse(fields[1], CultureInfo.InvariantCulture, out var uid) ? uid : null;
    }

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
