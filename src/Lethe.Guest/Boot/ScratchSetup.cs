using System.Diagnostics;
using System.Security.Cryptography;
using Lethe.Guest.Native;
using Lethe.Protocol.Boot;

namespace Lethe.Guest.Boot;

/// <summary>
/// Makes the encrypted scratch disk, in the initramfs before the root is built (the image's mke2fs is
/// run from <see cref="MountPlan.Lower"/>, which must be mounted): a dm-crypt mapping with a fresh
/// random key, a fresh ext4 on it, mounted and given to the user. Fails open: whatever goes wrong
/// becomes a one-line <see cref="ScratchOutcome.Failure"/>, with nothing left mapped or mounted, and
/// the mount plan puts RAM there instead (<see cref="ScratchPlan.Fallback"/>). Never waits without a deadline.
/// The key exists only in two stack buffers, zeroed right after the table load, and in the kernel.
/// </summary>
internal static class ScratchSetup
{
    private const int EBUSY = 16;

    public static ScratchOutcome Setup(string device, string mountPoint, int uid, int gid, Action<string> log, ScratchOptions? options = null)
    {
        options ??= new ScratchOptions();
        var clock = Stopwatch.StartNew();
        long mapMs = 0, mkfsMs = 0;
        var created = false;
        var mounted = false;
        DeviceMapper? control = null;
        try
        {
            var sectors = Sectors(device);
            control = DeviceMapper.Open();
            if (control.Version() != ScratchDmLayout.VersionMajor)
                throw new IOException("the kernel's device-mapper interface is not version 4");
            var (major, minor) = control.Create(ScratchPlan.MappingName, ScratchPlan.MappingUuid);
            created = true;
            LoadTable(control, device, sectors, options.AllowDiscards);
            control.Resume(ScratchPlan.MappingName);
            if (control.TargetTypes(ScratchPlan.MappingName) is not [ScratchPlan.TargetType])
                throw new IOException("the mapping's live table is not a single crypt target");
            var mapped = WaitForNode(major, minor, options.DeviceTimeout);
            mapMs = clock.ElapsedMilliseconds;

            ScratchProcess.Run(ScratchPlan.Mkfs(mapped), options.MkfsTimeout);
            mkfsMs = clock.ElapsedMilliseconds - mapMs;

            StepRunner.Run([ScratchPlan.Mount(mapped, mountPoint)]);
            mounted = true;
            Libc.Check(Libc.chown(mountPoint, uid, gid), "chown " + mountPoint);
            Libc.Check(Libc.chmod(mountPoint, ScratchPlan.RootMode), "chmod " + mountPoint);
            var outcome = new ScratchOutcome(mapped, null, mapMs, mkfsMs, clock.ElapsedMilliseconds - mapMs - mkfsMs);
            log(outcome.Summary);
            return outcome;
        }
        catch (Exception e)
        {
            Undo(control, created, mounted, mountPoint, log);
            var outcome = new ScratchOutcome(null, OneLine(e.Message), mapMs, mkfsMs, 0);
            log(outcome.Summary);
            return outcome;
        }
        finally
        {
            control?.Dispose();
        }
    }


    /// <summary>The key is drawn, spelled into the table and handed to the kernel, then both buffers are zeroed.</summary>
    private static void LoadTable(DeviceMapper control, string device, ulong sectors, bool allowDiscards)
    {
        Span<byte> key = stackalloc byte[ScratchPlan.KeyBytes];
        Span<byte> parameters = stackalloc byte[ScratchPlan.CryptParamsLength(device, allowDiscards)];
        try
        {
            ScratchSyscalls.FillRandom(key);
            var length = ScratchPlan.WriteCryptParams(key, device, allowDiscards, parameters);
            control.LoadSingleTarget(ScratchPlan.MappingName, sectors, ScratchPlan.TargetType, parameters[..length]);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(key);
            CryptographicOperations.ZeroMemory(parameters);
        }
    }

    private static ulong Sectors(string device)
    {
        var sizeFile = ScratchPlan.SizeFile(device) ?? throw new IOException($"{device} is not a disk lethe can map");
        if (!File.Exists(sizeFile))
            throw new IOException($"{device} is not a block device");
        return (ulong)(ScratchPlan.ParseSectors(File.ReadAllText(sizeFile)) ?? throw new IOException($"{device} is empty"));
    }

    /// <summary>devtmpfs makes /dev/dm-N when the table goes live; made by hand if it has not appeared in time.</summary>
    private static string WaitForNode(uint major, uint minor, TimeSpan timeout)
    {
        var node = $"/dev/dm-{minor}";
        var deadline = DateTime.UtcNow + timeout;
        while (!File.Exists(node) && DateTime.UtcNow < deadline)
            Thread.Sleep(5);
        if (!File.Exists(node))
            DeviceMapper.MakeBlockNode(node, major, minor);
        return node;
    }

    private static void Undo(DeviceMapper? control, bool created, bool mounted, string mountPoint, Action<string> log)
    {
        if (mounted)
            ScratchSyscalls.Detach(mountPoint);
        if (!created || control is null)
            return;
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(2);
        while (true)
        {
            try
            {
                control.Remove(ScratchPlan.MappingName);
                return;
            }
            catch (IOException e) when (e.Message.Contains($"(errno {EBUSY})", StringComparison.Ordinal) && DateTime.UtcNow < deadline)
            {
                Thread.Sleep(20);
            }
            catch (IOException e)
            {
                log("scratch: could not remove the half-made mapping: " + e.Message);
                return;
            }
        }
    }

    private static string OneLine(string message) =>
        message.ReplaceLineEndings(" ").Trim() is { Length: > 0 } line ? line : "unknown error";
}
