using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;
using Lethe.Core;
using Lethe.Machine.Qemu;
using Lethe.Machine.Run;
using Lethe.Protocol;

namespace Lethe.Machine.Bench;

/// <summary>
/// The conventional baseline (<see cref="BootBaselinePlan"/>): its initramfs is made once per image, in a lethe
/// machine of the image, and cached beside lethe's images; each boot then runs QEMU confined as lethe runs it
/// (same account, same parent-death signal), with the image's kernel and root. Wall time runs from just
/// before QEMU is started to its exit, after the unit has run the command and systemd has powered off.
/// </summary>
public sealed class BootBaselineKind(LethePaths paths, BootRequest boot, TextWriter progress) : IBootKind
{
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(10);
    private static readonly TimeSpan BuildLimit = TimeSpan.FromMinutes(20);
    private const int ConsoleCapChars = 64 * 1024;

    public string Name => BootKinds.Baseline;

    public string Description => "q35 PC, direct kernel boot, Debian's initramfs-tools initramfs, systemd to multi-user.target, the command in a oneshot unit";

    /// <summary>Keyed by the rootfs part (userland and kernel), which is all the baseline uses: a new guest init,
    /// which makes a new image digest, does not cost another initramfs build.</summary>
    public string Folder => Path.Combine(paths.Cache, "bench", boot.Image.RootfsKey ?? boot.Image.Digest);
    /// <summary>Named by the build script's version: a changed script builds anew.</summary>
    public string Initrd => Path.Combine(Folder, "baseline-initrd-2.img");

    /// <summary>Builds the baseline's initramfs unless the cache has it; returns how long that took (zero when cached).</summary>
    public async Task<TimeSpan> EnsureBuiltAsync(CancellationToken stop)
    {
        if (File.Exists(Initrd))
            return TimeSpan.Zero;
        Directory.CreateDirectory(Folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        progress.WriteLine("lethe: building the baseline's initramfs (mkinitramfs in a machine of the image, once per image)...");
        var clock = Stopwatch.StartNew();
        var partial = Initrd + $".partial-{Environment.ProcessId}";
        try
        {
            using var run = RunDirectory.Create(paths.Runs, boot.MachineName + "-baseline");
            var (vm, _) = await MachineBoot.StartAsync(paths, boot, run, TextWriter.Null, stop).ConfigureAwait(false);
            await using (vm)
            {
                using var errors = new MemoryStream();
                int code;
                // Readable by QEMU's account (the kernel reopens /dev/fd/N with the file's own permissions).
                await using (var output = new FileStream(partial, new FileStreamOptions
                    { Mode = FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead }))
                {
                    using var limit = CancellationTokenSource.CreateLinkedTokenSource(stop);
                    limit.CancelAfter(BuildLimit);
                    try
                    {
                        code = await CommandRelay.RunAsync(vm.Channel, 1, new ExecRequest { Argv = ["/bin/sh", "-c", BootBaselinePlan.BuildScript], AsRoot = true },
                            new RunStreams(Stream.Null, output, errors, TextWriter.Null), limit.Token).ConfigureAwait(false);
                    }
                    catch (OperationCanceledException) when (!stop.IsCancellationRequested)
                    {
                        throw new LetheException($"mkinitramfs in the image did not finish within {BuildLimit.TotalMinutes:0} minutes");
                    }
                }
                await MachineBoot.PowerOffAsync(vm, TimeSpan.FromSeconds(15)).ConfigureAwait(false);
                if (code != 0 || new FileInfo(partial).Length == 0)
                    throw new LetheException($"mkinitramfs in the image failed (exit {code}): {LastLine(Encoding.UTF8.GetString(errors.ToArray()))}",
                        code == 3 ? ExitCodes.HostCannot : ExitCodes.Failure);
            }
            File.Move(partial, Initrd);
        }
        finally
        {
            File.Delete(partial);
        }
        progress.WriteLine($"lethe: the baseline's initramfs is built ({clock.Elapsed.TotalSeconds:0} s, {new FileInfo(Initrd).Length / (1024 * 1024)} MiB), cached in {Folder}");
        return clock.Elapsed;
    }

    public async Task<BootSample> MeasureOnceAsync(int round, CancellationToken stop)
    {
        var (account, _, lease) = await VmmAccounts.ForBootAsync(boot.Accel.Accelerator == Accel.Accelerator.Kvm, null, stop).ConfigureAwait(false);
        using (lease)
        {
            var handles = new List<SafeHandle>();
            try
            {
                int Pass(string path)
                {
                    var handle = VmmFiles.Open(path, writable: false);
                    handles.Add(handle);
                    return (int)handle.DangerousGetHandle();
                }
                var kernel = Pass(boot.Image.KernelPath);
                var initrd = Pass(Initrd);
                var root = Pass(boot.Image.RootfsPath);
                var launch = new BaselineLaunch(boot.Accel.Accelerator, boot.MemoryMiB, boot.Cpus, $"/dev/fd/{kernel}", $"/dev/fd/{initrd}", "/dev/fdset/1");
                var argv = VmmCommandLine.Confined(account, VmmFiles.LocateTools("qemu-system-x86_64"),
                    ["-add-fd", $"fd={root},set=1", .. BootBaselinePlan.Arguments(launch)]);
                var clock = Stopwatch.StartNew();
                await using var qemu = await new HostCommand(argv[0]).WithArguments(argv.Skip(1)).WithExactEnvironment(new Dictionary<string, string>())
                    .StartAsync(handles).ConfigureAwait(false);
                foreach (var handle in handles)
                    handle.Dispose();
                qemu.StandardInput.Close();
                await using var rss = new QemuRssWatch(qemu.Pid);
                var console = new StringBuilder();
                var read = ReadConsoleAsync(qemu.StandardOutput, console);
                using var limit = CancellationTokenSource.CreateLinkedTokenSource(stop);
                limit.CancelAfter(Limit);
                try
                {
                    await qemu.WaitForExitAsync(limit.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (!stop.IsCancellationRequested)
                {
                    throw new LetheException($"the baseline machine did not power off within {Limit.TotalMinutes:0} minutes: {LastLine(Text(console))}");
                }
                var wall = clock.Elapsed.TotalMilliseconds;
                await Task.WhenAny(read, Task.Delay(2000, stop)).ConfigureAwait(false);
                var uptime = BootBaselinePlan.CommandUptimeMs(Text(console))
                    ?? throw new LetheException($"the baseline machine stopped without running the command: {LastLine(Text(console) + "\n" + qemu.StderrTail)}");
                return new BootSample
                {
                    // Its "ready" is the guest's uptime when the unit ran the command (multi-user.target reached).
                    Kind = Name, Round = round, WallMs = Math.Round(wall, 1), GuestReadyMs = uptime, QemuPeakRssKiB = rss.PeakKiB,
                };
            }
            finally
            {
                foreach (var handle in handles)
                    handle.Dispose();
            }
        }
    }

    private static async Task ReadConsoleAsync(Stream stdout, StringBuilder console)
    {
        using var reader = new StreamReader(stdout, Encoding.UTF8);
        var buffer = new char[4096];
        int read;
        while ((read = await reader.ReadAsync(buffer).ConfigureAwait(false)) > 0)
        {
            lock (console)
            {
                console.Append(buffer, 0, read);
                if (console.Length > 2 * ConsoleCapChars)
                    console.Remove(0, console.Length - ConsoleCapChars);
            }
        }
    }

    private static string Text(StringBuilder console)
    {
        lock (console)
            return console.ToString();
    }

    private static string LastLine(string text) =>
        text.Trim() is { Length: > 0 } trimmed ? trimmed.Split('\n')[^1].Trim() : "(no message)";
}
