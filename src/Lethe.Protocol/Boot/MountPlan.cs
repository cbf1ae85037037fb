namespace Lethe.Protocol.Boot;

/// <summary>
/// What the guest init mounts, in order, to turn the initramfs into the machine's root: a read-only
/// erofs lower layer under a tmpfs upper layer, with /home, /tmp and /run on their own capped tmpfs.
/// The two writable layers are then moved under /run/lethe (root only), where the host can list what
/// was written since boot, and the persist disk, when there is one, is mounted at /persist (root only).
/// Pure: the guest's executor carries the steps out one by one.
/// </summary>
public static class MountPlan
{
    public const string Lower = "/lower";
    public const string Writable = "/rw";
    public const string NewRoot = "/newroot";
    public const string HomeWritable = "/rw-home";
    /// <summary>Where the init mounts the decrypted scratch filesystem, in the initramfs (never seen by users).</summary>
    public const string ScratchStage = "/scratch-disk";
    public const string ScratchMountPoint = "/scratch";

    /// <summary>Kernel filesystems the init needs before it can read anything.</summary>
    public static IReadOnlyList<BootStep> Early() =>
    [
        new Mount("proc", "/proc", "proc", MountOptions.NoSuid | MountOptions.NoDev | MountOptions.NoExec),
        new Mount("sysfs", "/sys", "sysfs", MountOptions.NoSuid | MountOptions.NoDev | MountOptions.NoExec),
        new Mount("devtmpfs", "/dev", "devtmpfs", MountOptions.NoSuid, "mode=0755"),
    ];

    /// <summary>The image, read-only: mounted first, since the scratch disk's set-up uses its tools.</summary>
    public static IReadOnlyList<BootStep> LowerLayer(string rootDevice) => [new Mount(rootDevice, Lower, "erofs", MountOptions.ReadOnly)];

    /// <param name="persistDevice">The persist disk (ext4), or null when the machine has none.</param>
    /// <param name="scratch">Whether the encrypted scratch filesystem is mounted at <see cref="ScratchStage"/>.</param>
    public static IReadOnlyList<BootStep> Root(GuestSeed seed, string rootDevice, string? persistDevice = null, ScratchDisk scratch = ScratchDisk.None) =>
        [.. LowerLayer(rootDevice), .. AfterLower(seed, persistDevice, scratch)];

    public static IReadOnlyList<BootStep> AfterLower(GuestSeed seed, string? persistDevice = null, ScratchDisk scratch = ScratchDisk.None)
    {
        var caps = TmpfsCaps.For(seed.MemoryMiB);
        var hidden = MountOptions.NoSuid | MountOptions.NoDev;
        var upperOnScratch = scratch == ScratchDisk.Mounted && seed.Scratch is { Overlay: true };
        return
        [
            // The root's writable layer: RAM, or with scratch overlay the encrypted disk, so that big
            // installs do not exhaust memory. /home keeps its own tmpfs either way: secrets never go to disk.
            .. upperOnScratch
                ? new BootStep[] { new MakeDirectory($"{ScratchStage}/root", RootOnly), new BindFolder($"{ScratchStage}/root", Writable) }
                : [new Mount("tmpfs", Writable, "tmpfs", MountOptions.None, $"mode=0755,size={caps.RootMiB}m")],
            new MakeDirectory($"{Writable}/upper", 0b111_101_101),
            new MakeDirectory($"{Writable}/work", 0b111_101_101),
            new Mount("overlay", NewRoot, "overlay", MountOptions.None,
                $"lowerdir={Lower},upperdir={Writable}/upper,workdir={Writable}/work"),
            // /home is an overlay of its own: the image's home skeleton below, a separately capped tmpfs
            // above, so it stays in RAM even when the root's upper layer moves elsewhere.
            new Mount("tmpfs", HomeWritable, "tmpfs", MountOptions.None, $"mode=0755,size={caps.HomeMiB}m"),
            new MakeDirectory($"{HomeWritable}/upper", 0b111_101_101),
            new MakeDirectory($"{HomeWritable}/work", 0b111_101_101),
            new Mount("overlay", $"{NewRoot}/home", "overlay", hidden,
                $"lowerdir={Lower}/home,upperdir={HomeWritable}/upper,workdir={HomeWritable}/work"),
            new Mount("tmpfs", $"{NewRoot}/tmp", "tmpfs", hidden, $"mode=1777,size={caps.TmpMiB}m"),
            new Mount("tmpfs", $"{NewRoot}/run", "tmpfs", hidden, $"mode=0755,size={caps.RunMiB}m"),
            .. Scratch(seed, scratch, caps),
            .. UpperViews(),
            // Before /dev moves: the device nodes are found at /dev.
            .. persistDevice is null ? [] : Persist(persistDevice),
            new MoveMount("/dev", $"{NewRoot}/dev"),
            new MoveMount("/proc", $"{NewRoot}/proc"),
            new MoveMount("/sys", $"{NewRoot}/sys"),
            new MakeDirectory($"{NewRoot}/dev/pts", 0b111_101_101),
            new Mount("devpts", $"{NewRoot}/dev/pts", "devpts", MountOptions.NoSuid | MountOptions.NoExec, "gid=5,mode=0620,ptmxmode=0666"),
            new MakeDirectory($"{NewRoot}/dev/shm", 0b1_111_111_111),
            new Mount("tmpfs", $"{NewRoot}/dev/shm", "tmpfs", hidden, $"mode=1777,size={caps.TmpMiB}m"),
        ];
    }

    private const int RootOnly = 0b111_000_000;

    /// <summary>/scratch: the user's folder on the encrypted disk, or a tmpfs when the disk could not be
    /// set up (fail-open: the machine still boots).</summary>
    private static BootStep[] Scratch(GuestSeed seed, ScratchDisk scratch, TmpfsCaps caps) => scratch switch
    {
        ScratchDisk.Mounted =>
        [
            new MakeDirectory($"{ScratchStage}/user", Open),
            new ChangeOwner($"{ScratchStage}/user", seed.User.Uid, seed.User.Gid),
            new BindFolder($"{ScratchStage}/user", NewRoot + ScratchMountPoint),
        ],
        ScratchDisk.Failed => [ScratchPlan.Fallback(NewRoot + ScratchMountPoint, caps.TmpMiB, seed.User.Uid, seed.User.Gid)],
        _ => [],
    };
    private const int Open = 0b111_101_101;

    /// <summary>
    /// The overlay keeps its own reference to its upper layer, so the tmpfs mounts can move: into /run
    /// of the new root, under a folder only root can enter.
    /// </summary>
    private static BootStep[] UpperViews() =>
    [
        new MakeDirectory($"{NewRoot}/run/lethe", RootOnly),
        new MakeDirectory($"{NewRoot}/run/lethe/upper", RootOnly),
        new MoveMount(Writable, NewRoot + SeedLayout.RootUpperView),
        new MoveMount(HomeWritable, NewRoot + SeedLayout.HomeUpperView),
    ];

    /// <summary>
    /// The persist disk: nodev, and root only, since it holds the host keys; kept paths reach users
    /// through bind mounts of their own folders. No noexec or nosuid: binds inherit them, and kept
    /// folders (~/src, /usr/local) must stay usable.
    /// </summary>
    private static BootStep[] Persist(string device) =>
    [
        new Mount(device, NewRoot + SeedLayout.PersistMount, "ext4", MountOptions.NoDev),
        new MakeDirectory(NewRoot + SeedLayout.PersistMount, RootOnly),
        new MakeDirectory(NewRoot + SeedLayout.PersistData, Open),
        new MakeDirectory(NewRoot + SeedLayout.PersistIdentity, RootOnly),
    ];
}

/// <summary>Upper bounds for the RAM filesystems. tmpfs only uses what is written, so the caps may add
/// up to more than memory; they stop one runaway writer from taking all of it.</summary>
public sealed record TmpfsCaps(int RootMiB, int HomeMiB, int TmpMiB, int RunMiB)
{
    public static TmpfsCaps For(int memoryMiB) =>
        new(RootMiB: memoryMiB / 2, HomeMiB: memoryMiB / 4, TmpMiB: memoryMiB / 4, RunMiB: Math.Max(16, memoryMiB / 16));
}

[Flags]
public enum MountOptions
{
    None = 0,
    ReadOnly = 1,
    NoSuid = 2,
    NoDev = 4,
    NoExec = 8,
}

/// <summary>The state of the encrypted scratch disk when the root is put together.</summary>
public enum ScratchDisk { None, Mounted, Failed }
