using System.CommandLine;
using Lethe.Cli.Host;
using Lethe.Core;
using Lethe.Image.Rootfs;
using Lethe.Machine.Accel;
using Lethe.Machine.Host;

namespace Lethe.Cli.Commands;

/// <summary>lethe doctor: can this host run lethe, and if not, what is missing and the one command that fixes each gap.</summary>
public static class DoctorCommand
{
    public static Command Create(CliConsole console)
    {
        var doctor = new Command("doctor", "Check the host: QEMU, accelerators, tools, user namespaces, cache");
        doctor.SetAction(async (parse, stop) =>
        {
            var output = console.Out;
            var qemu = HostTools.FindOnPath("qemu-system-x86_64");
            var version = qemu is null ? null : await FirstLineAsync(new HostCommand(qemu).WithArguments("--version"), stop).ConfigureAwait(false);
            output.WriteLine($"qemu:        {version ?? "not installed"}");

            var facts = await HostFacts.ReadAsync().ConfigureAwait(false);
            var kvmProblem = AccelDecision.KvmProblem(facts);
            output.WriteLine($"kvm:         {(kvmProblem is null ? "usable" : "not used: " + kvmProblem)}");
            output.WriteLine($"tcg:         {(qemu is null ? "needs QEMU" : "usable (software emulation, always available)")}");
            var auto = AccelDecision.Decide(Spec.AccelMode.Auto, facts);
            output.WriteLine($"accel auto:  {auto.Accelerator.ToString().ToLowerInvariant()} ({auto.Reason})");

            var missing = HostTools.Missing(HostTools.NeededFor("all", facts.RunningAsRoot));
            output.WriteLine($"host tools:  {(missing.Count == 0 ? "all present" : "missing " + string.Join(", ", missing.Select(t => t.Program)))}");

            var namespaces = UserNamespaceFacts.Read();
            output.WriteLine($"image build: {BuildMode(namespaces)}");

            var paths = LethePaths.FromEnvironment();
            Directory.CreateDirectory(paths.Cache);
            var fs = await FirstLineAsync(new HostCommand("stat").WithArguments("-f", "-c", "%T", paths.Cache), stop).ConfigureAwait(false);
            var free = new DriveInfo(paths.Cache).AvailableFreeSpace / (1024 * 1024 * 1024);
            output.WriteLine($"cache:       {paths.Cache} ({fs ?? "unknown filesystem"}, {free} GiB free)");
            output.WriteLine($"state:       {paths.State}");
            output.WriteLine($"runtime:     {paths.Runtime}");

            var findings = HostReadiness.Findings(facts, namespaces, HostTools.Packages(missing));
            foreach (var finding in findings)
            {
                output.WriteLine($"{(finding.Blocks ? "missing" : "note")}:     {finding.Problem}");
                output.WriteLine($"  fix:       {finding.Fix}");
            }
            var canRun = findings.All(finding => !finding.Blocks);
            output.WriteLine(canRun ? "lethe can run here." : "lethe cannot run here until the missing pieces above are fixed.");
            return canRun ? ExitCodes.Success : ExitCodes.HostCannot;
        });
        return doctor;
    }

    private static string BuildMode(UserNamespaceFacts facts)
    {
        if (facts.RunningAsRoot)
            return "as root (mmdebstrap --mode=root)";
        var range = SubordinateIds.RangeFor(facts.SubuidText, facts.UserName, facts.UserId);
        return range is null
            ? $"as {facts.UserName} in a user namespace, but {facts.UserName} has no subordinate ids"
            : $"as {facts.UserName} in a user namespace (subordinate ids {range.Start}-{range.End - 1})";
    }

    private static async Task<string?> FirstLineAsync(HostCommand command, CancellationToken stop)
    {
        var result = await command.ExecuteAsync(stop).ConfigureAwait(false);
        return result.ExitCode == 0 ? result.Stdout.Split('\n')[0].Trim() : null;
    }
}
