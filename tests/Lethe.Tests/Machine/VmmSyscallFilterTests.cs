using Lethe.Protocol.Confinement;
using static Lethe.Protocol.Confinement.VmmSyscallFilter;

namespace Lethe.Tests.Machine;

/// <summary>The share confinement's seccomp program, run on a small classic-BPF interpreter.</summary>
public sealed class VmmSyscallFilterTests
{
    private const uint SetUid = 0b100_000_000_000, SetGid = 0b010_000_000_000;
    private static readonly IReadOnlyList<BpfInstruction> Program = Build();

    [Theory]
    [InlineData("chmod", 1)]
    [InlineData("fchmod", 1)]
    [InlineData("fchmodat", 2)]
    [InlineData("open", 2)]
    [InlineData("openat", 3)]
    [InlineData("creat", 1)]
    [InlineData("mkdir", 1)]
    [InlineData("mkdirat", 2)]
    [InlineData("mknod", 1)]
    [InlineData("mknodat", 2)]
    public void Setuid_and_setgid_modes_are_refused_with_eperm_and_ordinary_modes_pass(string call, int modeArgument)
    {
        var number = NumberOf(call);
        foreach (var bits in new[] { SetUid | 0b111_101_101, SetGid | 0b111_111_101, SetUid | SetGid })
            Run(number, Args(modeArgument, bits)).ShouldBe(RetErrno | Eperm, $"{call} mode {Convert.ToString(bits, 8)}");
        foreach (var ordinary in new uint[] { 0b110_100_100, 0b111_101_101, 0b111_111_111 | 0b001_000_000_000 /* sticky */, 0 })
            Run(number, Args(modeArgument, ordinary)).ShouldBe(RetAllow, $"{call} mode {Convert.ToString(ordinary, 8)}");
    }

    [Fact]
    public void Only_the_low_32_bits_of_a_mode_count_as_the_kernel_reads_them()
    {
        Run(NumberOf("chmod"), Args(1, 0x1_0000_0000UL | 0b110_100_100)).ShouldBe(RetAllow);
        Run(NumberOf("chmod"), Args(1, 0xFFFF_FFFF_0000_0000UL | SetUid)).ShouldBe(RetErrno | Eperm);
    }

    [Theory]
    [InlineData("mknod", 1)]
    [InlineData("mknodat", 2)]
    public void Device_nodes_are_refused_but_fifos_sockets_and_regular_files_are_not(string call, int modeArgument)
    {
        var number = NumberOf(call);
        Run(number, Args(modeArgument, CharDevice | 0b110_110_110)).ShouldBe(RetErrno | Eperm);
        Run(number, Args(modeArgument, BlockDevice | 0b110_110_000)).ShouldBe(RetErrno | Eperm);
        foreach (var type in new uint[] { 0x1000 /* fifo */, 0xC000 /* socket */, 0x8000 /* regular */, 0 })
            Run(number, Args(modeArgument, type | 0b110_100_100)).ShouldBe(RetAllow, Convert.ToString(type, 8));
    }

    [Fact]
    public void Calls_whose_mode_cannot_be_read_answer_enosys_whatever_their_arguments()
    {
        foreach (var (name, number) in UninspectableCalls)
            Run(number, Args(2, 0)).ShouldBe(RetErrno | Enosys, name);
        UninspectableCalls.Select(c => c.Number).ShouldBe([425u, 437u, 452u]);
    }

    [Fact]
    public void Other_calls_pass_whatever_their_arguments()
    {
        foreach (var number in new uint[] { 0 /* read */, 1 /* write */, 59 /* execve */, 92 /* chown */, 16 /* ioctl */ })
            Run(number, Args(1, SetUid | SetGid | CharDevice)).ShouldBe(RetAllow, number.ToString());
    }

    [Fact]
    public void Foreign_abis_are_refused_i386_killed_and_x32_numbers_enosys()
    {
        Run(15 /* i386 chmod */, Args(1, SetUid), arch: 0x4000_0003).ShouldBe(RetKillProcess);
        Run(X32SyscallBit | 90, Args(1, SetUid)).ShouldBe(RetErrno | Enosys);
        Run(X32SyscallBit | 0, Args(1, 0)).ShouldBe(RetErrno | Enosys);
    }

    [Fact]
    public void The_system_call_numbers_are_x86_64s()
    {
        ModeCalls.Select(c => (c.Name, c.Number)).ShouldBe([
            ("open", 2u), ("creat", 85u), ("mkdir", 83u), ("chmod", 90u), ("fchmod", 91u), ("openat", 257u), ("mkdirat", 258u), ("fchmodat", 268u)]);
        NodeCalls.Select(c => (c.Name, c.Number)).ShouldBe([("mknod", 133u), ("mknodat", 259u)]);
    }

    [Fact]
    public void The_encoding_is_struct_sock_filter_little_endian()
    {
        var bytes = Encode([new BpfInstruction(0x15, 2, 3, 0xC000_003E)]);
        bytes.ShouldBe(new byte[] { 0x15, 0x00, 2, 3, 0x3E, 0x00, 0x00, 0xC0 });
        Encode(Program).Length.ShouldBe(Program.Count * 8);
        Program.Count.ShouldBeLessThan(256, "every jump must stay within reach of an 8-bit offset");
    }

    private static uint NumberOf(string call) =>
        ModeCalls.Concat(NodeCalls).Single(c => c.Name == call).Number;

    private static ulong[] Args(int index, ulong value)
    {
        var args = new ulong[6];
        args[index] = value;
        return args;
    }

    /// <summary>A classic-BPF interpreter for exactly the instructions a seccomp filter may use here.</summary>
    private static uint Run(uint nr, ulong[] args, uint arch = AuditArchX86_64)
    {
        var data = new byte[64];
        BitConverter.GetBytes(nr).CopyTo(data, 0);
        BitConverter.GetBytes(arch).CopyTo(data, 4);
        for (var i = 0; i < 6; i++)
            BitConverter.GetBytes(args[i]).CopyTo(data, 16 + 8 * i);
        uint a = 0;
        for (var pc = 0; pc < Program.Count; pc++)
        {
            var op = Program[pc];
            switch (op.Code)
            {
                case 0x20: a = BitConverter.ToUInt32(data, (int)op.K); break;
                case 0x54: a &= op.K; break;
                case 0x15: pc += a == op.K ? op.JumpTrue : op.JumpFalse; break;
                case 0x35: pc += a >= op.K ? op.JumpTrue : op.JumpFalse; break;
                case 0x45: pc += (a & op.K) != 0 ? op.JumpTrue : op.JumpFalse; break;
                case 0x06: return op.K;
                default: throw new InvalidOperationException($"unexpected BPF code {op.Code:x}");
            }
        }
        throw new InvalidOperationException("the program fell off its end");
    }
}
