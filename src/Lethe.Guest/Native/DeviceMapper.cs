using System.Runtime.InteropServices;
using System.Security.Cryptography;
using Lethe.Protocol.Boot;

namespace Lethe.Guest.Native;

/// <summary>
/// The device-mapper control device (/dev/mapper/control, misc 10:236), driven by ioctl as
/// libdevmapper does, so the init needs no dmsetup. Request buffers live in native memory and are
/// zeroed before they are freed; the table load is flagged so that the kernel wipes its copies too.
/// Errors name the command and errno, never a table's parameters.
/// </summary>
internal sealed unsafe partial class DeviceMapper : IDisposable
{
    public const string ControlPath = "/dev/mapper/control";
    private const uint ControlMajor = 10, ControlMinor = 236;
    private const uint S_IFCHR = 0x2000, S_IFBLK = 0x6000;
    private const int O_RDWR = 2, O_CLOEXEC = 0x80000, EEXIST = 17;
    private const int StatusBufferSize = 16 * 1024;

    private readonly int _fd;

    private DeviceMapper(int fd) => _fd = fd;

    /// <summary>Opens the control device, making its node first when devtmpfs has not (dm_mod must be loaded).</summary>
    public static DeviceMapper Open()
    {
        if (!File.Exists(ControlPath))
        {
            Directory.CreateDirectory(Path.GetDirectoryName(ControlPath)!);
            if (mknod(ControlPath, S_IFCHR | 0b110_000_000, ScratchDmLayout.MakeDev(ControlMajor, ControlMinor)) < 0
                && Marshal.GetLastPInvokeError() != EEXIST)
                throw Libc.Error("mknod " + ControlPath);
        }
        var fd = open(ControlPath, O_RDWR | O_CLOEXEC);
        Libc.Check(fd, "open " + ControlPath);
        return new DeviceMapper(fd);
    }

    /// <summary>The interface's major version (4 for every kernel since 2.6).</summary>
    public uint Version()
    {
        var buffer = stackalloc byte[ScratchDmLayout.HeaderSize];
        var span = new Span<byte>(buffer, ScratchDmLayout.HeaderSize);
        ScratchDmLayout.WriteHeader(span, null);
        Call(DmCommand.Version, buffer, "DM_VERSION");
        return ScratchDmLayout.Major(span);
    }

    /// <summary>Creates an empty, suspended device and returns its block device number.</summary>
    public (uint Major, uint Minor) Create(string name, string uuid)
    {
        var buffer = stackalloc byte[ScratchDmLayout.HeaderSize];
        var span = new Span<byte>(buffer, ScratchDmLayout.HeaderSize);
        ScratchDmLayout.WriteHeader(span, name, uuid);
        Call(DmCommand.DeviceCreate, buffer, "DM_DEV_CREATE " + name);
        return ScratchDmLayout.DecodeDev(ScratchDmLayout.Dev(span));
    }

    /// <summary>
    /// Loads one target, covering sectors 0 to <paramref name="sectors"/>, into the device's inactive
    /// slot. The request buffer that carries <paramref name="parameters"/> is zeroed after the call,
    /// whatever happens; the caller zeroes its own copy.
    /// </summary>
    public void LoadSingleTarget(string name, ulong sectors, string targetType, ReadOnlySpan<byte> parameters)
    {
        var size = ScratchDmLayout.TableLoadSize(parameters.Length);
        var buffer = (byte*)NativeMemory.AllocZeroed((nuint)size);
        var span = new Span<byte>(buffer, size);
        try
        {
            parameters.CopyTo(ScratchDmLayout.WriteSingleTarget(span, name, 0, sectors, targetType, parameters.Length, ScratchDmLayout.SecureDataFlag));
            Call(DmCommand.TableLoad, buffer, "DM_TABLE_LOAD " + name);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(span);
            NativeMemory.Free(buffer);
        }
    }

    /// <summary>Resume: the loaded table becomes the live one and the device starts serving I/O.</summary>
    public void Resume(string name)
    {
        var buffer = stackalloc byte[ScratchDmLayout.HeaderSize];
        ScratchDmLayout.WriteHeader(new Span<byte>(buffer, ScratchDmLayout.HeaderSize), name);
        Call(DmCommand.DeviceSuspend, buffer, "DM_DEV_SUSPEND (resume) " + name);
    }

    /// <summary>
    /// The live table's target type names. Asks for the status form (never the table form, which for
    /// crypt would carry the key) and reads only the names.
    /// </summary>
    public IReadOnlyList<string> TargetTypes(string name)
    {
        var buffer = (byte*)NativeMemory.AllocZeroed(StatusBufferSize);
        var span = new Span<byte>(buffer, StatusBufferSize);
        try
        {
            ScratchDmLayout.WriteHeader(span, name, flags: ScratchDmLayout.SecureDataFlag);
            Call(DmCommand.TableStatus, buffer, "DM_TABLE_STATUS " + name);
            return ScratchDmLayout.TargetTypes(span) ?? throw new IOException($"DM_TABLE_STATUS {name}: an answer lethe cannot read");
        }
        finally
        {
            CryptographicOperations.ZeroMemory(span);
            NativeMemory.Free(buffer);
        }
    }

    /// <summary>Removes the device and its tables; the kernel frees (and dm-crypt wipes) the key.</summary>
    public void Remove(string name)
    {
        var buffer = stackalloc byte[ScratchDmLayout.HeaderSize];
        ScratchDmLayout.WriteHeader(new Span<byte>(buffer, ScratchDmLayout.HeaderSize), name);
        Call(DmCommand.DeviceRemove, buffer, "DM_DEV_REMOVE " + name);
    }

    /// <summary>Makes a block device node for a mapped device, when devtmpfs has not made one.</summary>
    public static void MakeBlockNode(string path, uint major, uint minor)
    {
        if (mknod(path, S_IFBLK | 0b110_000_000, ScratchDmLayout.MakeDev(major, minor)) < 0 && Marshal.GetLastPInvokeError() != EEXIST)
            throw Libc.Error("mknod " + path);
    }

    private void Call(DmCommand command, byte* buffer, string what)
    {
        if (ioctl(_fd, ScratchDmLayout.Request(command), buffer) < 0)
            throw Libc.Error(what);
    }

    public void Dispose() => close(_fd);

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int open(string path, int flags);

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int mknod(string path, uint mode, ulong dev);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int ioctl(int fd, ulong request, void* argument);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int close(int fd);
}
