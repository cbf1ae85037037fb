using Lethe.Machine.Qemu;
using Lethe.Machine.Run;
using Lethe.Protocol;
using Lethe.Spec;

namespace Lethe.Machine.Seed;

/// <summary>Pure: the non-secret per-boot configuration the guest reads from its seed.</summary>
public static class SeedBuilder
{
    public static GuestSeed For(BootRequest boot)
    {
        var spec = boot.Spec;
        var home = $"/home/{spec.User.Name}";
        var workstation = boot.PersistDisk is not null;
        return new GuestSeed
        {
            Hostname = boot.MachineName,
            User = new GuestUser(spec.User.Name, spec.User.Uid, spec.User.Uid, home, "/bin/bash"),
            Init = spec.Init == InitSystem.Systemd ? InitMode.Systemd : InitMode.Fast,
            Environment = spec.Env,
            MemoryMiB = boot.MemoryMiB,
            Debug = boot.Debug,
            // A one-shot run always gets a fresh identity; a workstation keeps its own unless told not to.
            KeepIdentity = workstation && spec.Identity == IdentityMode.Keep,
            Persist = workstation ? spec.Persist.Paths.Select(p => PathFor(p, home)).ToList() : null,
            Workspace = boot.Shares ? new SharedFolder(SeedLayout.WorkspaceTag, boot.Workspace!.At, boot.Workspace.Mode == WorkspaceMode.Overlay) : null,
            Scratch = boot.Scratch is { } scratch ? new ScratchSeed(scratch.Overlay) : null,
            Network = boot.Network is { Backend: not QemuNetwork.None } network ? new NetworkSeed(network.ReportListening) : null,
            GitConfig = boot.GitConfig,
            Usb = spec.Usb.Count > 0,
            Ssh = boot.SshKeys is { } keys ? new SshSeed(keys, spec.Ssh.SendEnv) : null,
        };
    }

    public static PersistPath PathFor(PersistEntry entry, string home) =>
        new(entry.GuestPath(home), entry.Type switch
        {
            PersistEntryType.File => PersistKind.File,
            PersistEntryType.Directory => PersistKind.Directory,
            _ => PersistKind.Auto,
        }, entry.Mode, entry.Owner, entry.InHome);
}
