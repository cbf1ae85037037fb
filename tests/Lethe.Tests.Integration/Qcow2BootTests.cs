using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;

namespace Lethe.Tests.Integration;

/// <summary>
/// lethe export --format qcow2 of the shared workstation image, booted twice by plain QEMU (q35, OVMF, no lethe),
/// driven over its serial console as a person would: the allowlist is kept, everything else is gone, the identity is
/// the same, and sshd takes the given key and nothing else.
/// </summary>
[Collection(MachineCollection.Name)]
public sealed partial class Qcow2BootTests(TestImage image) : IDisposable
{
    private const string Firmware = "/usr/share/OVMF/OVMF_CODE_4M.fd";
    private const string FirmwareVariables = "/usr/share/OVMF/OVMF_VARS_4M.fd";
    private readonly string folder = Directory.CreateTempSubdirectory("lethe-it-qcow2-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    [Fact(Timeout = 1_500_000)]
    public async Task The_exported_disk_boots_under_plain_qemu_with_ovmf_and_keeps_only_the_allowlist_and_its_identity()
    {
        var stop = TestContext.Current.CancellationToken;
        var key = Path.Combine(folder, "login");
        (await HostTool.RunAsync("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "", "-f", key)).ExitCode.ShouldBe(0);
        var disk = Path.Combine(folder, "ws.qcow2");
        var export = await LetheProcess.RunAsync(
            ["export", "--format", "qcow2", "--check", "--spec", image.WorkstationSpec, "--persist-size", "64", "--authorized-keys", key + ".pub", "-o", disk],
            timeout: TimeSpan.FromMinutes(10));
        export.ExitCode.ShouldBe(0, export.ToString());
        export.Stdout.ShouldContain("byte-identical");
        var check = await HostTool.RunAsync("qemu-img", "check", disk);
        check.ExitCode.ShouldBe(0, check.Output);
        check.Output.ShouldContain("No errors were found");
        (await HostTool.RunAsync("qemu-img", "info", disk)).Output.ShouldContain("compression type: zstd");

        var variables = Path.Combine(folder, "vars.fd");
        File.Copy(FirmwareVariables, variables);
        string firstId, firstHostKey;
        await using (var vm = await PlainVm.StartAsync(disk, variables, folder, stop))
        {
            await vm.WaitForPromptAsync(stop);
            var facts = await vm.RunAsync(
                "echo kept > ~/src/kept; echo gone > ~/gone; echo kept | sudo tee /etc/keep/kept >/dev/null; echo gone | sudo tee /etc/gone >/dev/null; " +
                "cat /etc/machine-id; cat /etc/ssh/ssh_host_ed25519_key.pub; cat /sys/class/block/vda3/size; findmnt -no FSTYPE /; " +
                "grep -h '^PasswordAuthentication' /etc/ssh/sshd_config.d/lethe.conf; sync", stop);
            var lines = facts.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            (firstId, firstHostKey) = (lines[0], lines[1]);
            firstId.ShouldMatch("^[0-9a-f]{32}$");
            firstHostKey.ShouldStartWith("ssh-ed25519 ");
            lines[2].ShouldBe((64 * 2048).ToString(System.Globalization.CultureInfo.InvariantCulture));
            lines[3].ShouldBe("overlay");
            lines[4].ShouldBe("PasswordAuthentication no");

            var ssh = await HostTool.RunAsync("ssh", [.. SshOptions(vm.SshPort), "-i", key, "dev@127.0.0.1", "cat /etc/machine-id; id -un"]);
            ssh.ExitCode.ShouldBe(0, ssh.Output);
            ssh.Output.ShouldContain(firstId);
            var password = await HostTool.RunAsync("ssh", [.. SshOptions(vm.SshPort), "-o", "PubkeyAuthentication=no", "-o", "PreferredAuthentications=password,keyboard-interactive", "dev@127.0.0.1", "true"]);
            password.ExitCode.ShouldBe(255);
            password.Output.ShouldContain("Permission denied (publickey)");
            await vm.PowerDownAsync(stop);
        }

        await using (var vm = await PlainVm.StartAsync(disk, variables, folder, stop))
        {
            await vm.WaitForPromptAsync(stop);
            var facts = await vm.RunAsync(
                "cat ~/src/kept /etc/keep/kept; ls ~/gone /etc/gone 2>&1 | sed 's/^.*cannot access/missing/'; cat /etc/machine-id; cat /etc/ssh/ssh_host_ed25519_key.pub", stop);
            var lines = facts.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            lines[0].ShouldBe("kept");
            lines[1].ShouldBe("kept");
            lines[2].ShouldStartWith("missing '/home/dev/gone'");
            lines[3].ShouldStartWith("missing '/etc/gone'");
            lines[4].ShouldBe(firstId);
            lines[5].ShouldBe(firstHostKey);
            await vm.PowerDownAsync(stop);
        }
    }

    private static string[] SshOptions(int port) =>
        ["-p", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=no",
         "-o", "UserKnownHostsFile=/dev/null", "-o", "IdentitiesOnly=yes", "-o", "ConnectTimeout=60", "-o", "LogLevel=ERROR"];

    /// <summary>QEMU as anyone would run it: q35, OVMF, the disk on virtio, user networking with sshd forwarded to a
    /// loopback port, the serial console on stdio, QMP on a socket for the ACPI power button.</summary>
    private sealed partial class PlainVm : IAsyncDisposable
    {
        private readonly Process qemu;
        private readonly StringBuilder console = new();
        private readonly string qmp;
        private int marker;

        public int SshPort { get; }

        private PlainVm(Process qemu, string qmp, int sshPort)
        {
            (this.qemu, this.qmp, SshPort) = (qemu, qmp, sshPort);
            // Raw reads, not lines: a shell prompt ends without a newline.
            _ = Task.Run(async () =>
            {
                var buffer = new char[4096];
                int read;
                while ((read = await qemu.StandardOutput.ReadAsync(buffer)) > 0)
                    lock (console) console.Append(buffer, 0, read);
            });
            qemu.BeginErrorReadLine();
        }

        public static Task<PlainVm> StartAsync(string disk, string variables, string folder, CancellationToken stop)
        {
            var port = FreePort();
            var qmp = Path.Combine(folder, "qmp.sock");
            File.Delete(qmp);
            var info = new ProcessStartInfo("qemu-system-x86_64") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var argument in (string[])[
                "-M", "q35", "-m", "1024", "-smp", "2", "-accel", "tcg", "-display", "none", "-no-reboot",
                "-drive", $"if=pflash,format=raw,readonly=on,file={Firmware}", "-drive", $"if=pflash,format=raw,file={variables}",
                "-drive", $"file={disk},if=virtio,format=qcow2",
                "-nic", $"user,model=virtio-net-pci,hostfwd=tcp:127.0.0.1:{port}-:22",
                "-chardev", "stdio,id=console,signal=off", "-serial", "chardev:console", "-monitor", "none",
                "-qmp", $"unix:{qmp},server=on,wait=off"])
                info.ArgumentList.Add(argument);
            return Task.FromResult(new PlainVm(Process.Start(info)!, qmp, port));
        }

        public Task WaitForPromptAsync(CancellationToken stop) => WaitForAsync(Prompt(), TimeSpan.FromMinutes(8), stop);

        /// <summary>Types a command line and returns what it printed between two markers the echo cannot show.</summary>
        public async Task<string> RunAsync(string command, CancellationToken stop)
        {
            var id = ++marker;
            var begin = $"BEGIN-{id}-MARK";
            var end = $"END-{id}-MARK";
            lock (console) console.Clear();
            await qemu.StandardInput.WriteAsync($"echo BEGIN-{id}-''MARK; {command}; echo END-{id}-''MARK\r".AsMemory(), stop);
            await qemu.StandardInput.FlushAsync(stop);
            var text = await WaitForAsync(new Regex(Regex.Escape(begin) + @"\r?\n([\s\S]*?)" + Regex.Escape(end)), TimeSpan.FromMinutes(3), stop);
            return new Regex(Regex.Escape(begin) + @"\r?\n([\s\S]*?)" + Regex.Escape(end)).Match(text).Groups[1].Value.Replace("\r", "", StringComparison.Ordinal);
        }

        /// <summary>The ACPI power button: systemd shuts down cleanly, QEMU exits (-no-reboot).</summary>
        public async Task PowerDownAsync(CancellationToken stop)
        {
            using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(qmp), stop);
            await using var stream = new NetworkStream(socket);
            using var reader = new StreamReader(stream);
            await reader.ReadLineAsync(stop);
            foreach (var message in new[] { """{"execute":"qmp_capabilities"}""", """{"execute":"system_powerdown"}""" })
            {
                await stream.WriteAsync(Encoding.ASCII.GetBytes(message + "\n"), stop);
                await reader.ReadLineAsync(stop);
            }
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stop);
            timeout.CancelAfter(TimeSpan.FromMinutes(4));
            await qemu.WaitForExitAsync(timeout.Token);
        }

        private async Task<string> WaitForAsync(Regex pattern, TimeSpan timeout, CancellationToken stop)
        {
            var deadline = DateTime.UtcNow + timeout;
            while (true)
            {
                string text;
                lock (console) text = console.ToString();
                if (pattern.IsMatch(text))
                    return text;
                if (qemu.HasExited || DateTime.UtcNow > deadline)
                    throw new TimeoutException($"the console never showed {pattern}; its last lines:\n{text[Math.Max(0, text.Length - 3000)..]}");
                await Task.Delay(250, stop);
            }
        }

        private static int FreePort()
        {
            using var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            return ((IPEndPoint)listener.LocalEndpoint).Port;
        }

        public async ValueTask DisposeAsync()
        {
            if (!qemu.HasExited)
            {
                qemu.Kill(entireProcessTree: true);
                await qemu.WaitForExitAsync(CancellationToken.None);
            }
            qemu.Dispose();
        }

        [GeneratedRegex(@"dev@[\w-]+:~\$ ")]
        private static partial Regex Prompt();
    }
}
