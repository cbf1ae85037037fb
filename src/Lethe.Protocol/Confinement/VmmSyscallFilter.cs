namespace Lethe.Protocol.Confinement;

/// <summary>One classic-BPF instruction, laid out as struct sock_filter (8 bytes).</summary>
public readonly record struct BpfInstruction(ushort Code, byte JumpTrue, byte JumpFalse, uint K);

/// <summary>
/// Pure: the seccomp filter QEMU runs under (lethe-init confine installs it, then execs QEMU). QEMU
/// writes the workspace share with the host's system calls, so whatever guest root asks of it, the
/// kernel refuses to give a host file the setuid or setgid bit, or to make a device node:
/// <list type="bullet">
/// <item>chmod, fchmod, fchmodat, open, openat, creat, mkdir, mkdirat, mknod, mknodat fail with EPERM
/// when their mode carries S_ISUID or S_ISGID; mknod and mknodat also when they make a char or block device;</item>
/// <item>openat2 and fchmodat2 get ENOSYS (their mode sits in memory a filter cannot read; libc falls back
/// to the calls above), and so does io_uring_setup (its operations never pass through seccomp);</item>
/// <item>anything but the native x86-64 ABI is refused: i386 calls (int 0x80) and x32 numbers.</item>
/// </list>
/// QEMU's own -sandbox filter stacks on top of this one.
/// </summary>
public static class VmmSyscallFilter
{
    public const uint AuditArchX86_64 = 0xC000_003E;
    public const uint X32SyscallBit = 0x4000_0000;
    public const uint RetAllow = 0x7FFF_0000;
    public const uint RetErrno = 0x0005_0000;
    public const uint RetKillProcess = 0x8000_0000;
    public const int Eperm = 1, Enosys = 38;
    public const uint SetIdBits = 0b110_000_000_000; // S_ISUID | S_ISGID (06000)
    public const uint FileTypeMask = 0xF000; // S_IFMT (0170000)
    public const uint CharDevice = 0x2000, BlockDevice = 0x6000; // S_IFCHR, S_IFBLK

    private const ushort LoadWordAbsolute = 0x20, JumpEqual = 0x15, JumpGreaterEqual = 0x35, JumpSet = 0x45, AndConstant = 0x54, Return = 0x06;
    private const uint NrOffset = 0, ArchOffset = 4, ArgsOffset = 16;

    /// <summary>x86-64 system calls whose mode argument (index) is checked.</summary>
    public static readonly IReadOnlyList<(string Name, uint Number, int ModeArgument)> ModeCalls =
    [
        ("open", 2, 2), ("creat", 85, 1), ("mkdir", 83, 1), ("chmod", 90, 1), ("fchmod", 91, 1),
        ("openat", 257, 3), ("mkdirat", 258, 2), ("fchmodat", 268, 2),
    ];

    /// <summary>mknod-like calls: also refused for char and block devices.</summary>
    public static readonly IReadOnlyList<(string Name, uint Number, int ModeArgument)> NodeCalls = [("mknod", 133, 1), ("mknodat", 259, 2)];

    /// <summary>Calls that cannot be inspected: they answer ENOSYS, so callers fall back to inspectable ones.</summary>
    public static readonly IReadOnlyList<(string Name, uint Number)> UninspectableCalls = [("io_uring_setup", 425), ("openat2", 437), ("fchmodat2", 452)];

    public static IReadOnlyList<BpfInstruction> Build()
    {
        var program = new List<BpfInstruction>
        {
            Load(ArchOffset),
            new(JumpEqual, 1, 0, AuditArchX86_64),
            Ret(RetKillProcess),
            Load(NrOffset),
            new(JumpGreaterEqual, 0, 1, X32SyscallBit),
            Ret(RetErrno | Enosys),
        };
        foreach (var (_, number) in UninspectableCalls)
            program.AddRange([new(JumpEqual, 0, 1, number), Ret(RetErrno | Enosys)]);
        // Each block below ends in a return, so a failed comparison skips it with A still holding the number.
        foreach (var (_, number, argument) in ModeCalls)
        {
            BpfInstruction[] block = [Load(ArgumentOffset(argument)), new(JumpSet, 0, 1, SetIdBits), Ret(RetErrno | Eperm), Ret(RetAllow)];
            program.Add(new(JumpEqual, 0, (byte)block.Length, number));
            program.AddRange(block);
        }
        foreach (var (_, number, argument) in NodeCalls)
        {
            BpfInstruction[] block =
            [
                Load(ArgumentOffset(argument)),
                new(JumpSet, 4, 0, SetIdBits),
                new(AndConstant, 0, 0, FileTypeMask),
                new(JumpEqual, 2, 0, CharDevice),
                new(JumpEqual, 1, 0, BlockDevice),
                Ret(RetAllow),
                Ret(RetErrno | Eperm),
            ];
            program.Add(new(JumpEqual, 0, (byte)block.Length, number));
            program.AddRange(block);
        }
        program.Add(Ret(RetAllow));
        return program;
    }

    /// <summary>The program as the kernel reads it: struct sock_filter[], little-endian.</summary>
    public static byte[] Encode(IReadOnlyList<BpfInstruction> program)
    {
        var bytes = new byte[program.Count * 8];
        for (var i = 0; i < program.Count; i++)
        {
            var span = bytes.AsSpan(i * 8);
            System.Buffers.Binary.BinaryPrimitives.WriteUInt16LittleEndian(span, program[i].Code);
            span[2] = program[i].JumpTrue;
            span[3] = program[i].JumpFalse;
            System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(span[4..], program[i].K);
        }
        return bytes;
    }

    // The low 32 bits of a 64-bit argument: a mode_t is 32 bits, and the kernel ignores the rest.
    private static uint ArgumentOffset(int index) => ArgsOffset + (uint)(8 * index);
    private static BpfInstruction Load(uint offset) => new(LoadWordAbsolute, 0, 0, offset);
    private static BpfInstruction Ret(uint value) => new(Return, 0, 0, value);
}
