namespace Lethe.Tests.Integration;

/// <summary>share.git_config staged sanitized into /etc/gitconfig, and usb: the host check and a machine with the xHCI controller.</summary>
[Collection(MachineCollection.Name)]
public sealed class ShareAndUsbTests(TestImage image)
{
    private const int Timeout = 600_000;

    [Fact(Timeout = Timeout)]
    public async Task The_hosts_git_config_arrives_as_etc_gitconfig_with_its_aliases_and_without_its_credential_helper()
    {
        var folder = Directory.CreateTempSubdirectory("lethe-it-git-").FullName;
        try
        {
            var config = Path.Combine(folder, "gitconfig");
            await File.WriteAllTextAsync(config, """
                [user]
                	name = Test User
                [alias]
                	lg = log --graph --oneline
                [credential]
                	helper = store --file ~/.git-credentials
                [url "https://x-access-token:ghp_0123456789abcdefghijABCDEFGHIJ012345@github.com/"]
                	insteadOf = https://github.com/
                """, TestContext.Current.CancellationToken);
            var spec = image.WriteSpec("it-gitconfig", "share:\n  git_config: true\n");
            var result = await LetheProcess.RunAsync(["run", "--spec", spec, "--", "sh", "-c",
                "git config --get alias.lg; git config --get-all credential.helper; echo helper=$?; stat -c '%U %G %a' /etc/gitconfig; " +
                "grep -c ghp_ /etc/gitconfig; git config --get user.name"],
                environment: new Dictionary<string, string> { ["GIT_CONFIG_GLOBAL"] = config });
            result.ExitCode.ShouldBe(0, result.ToString());
            result.Stdout.Split('\n').ShouldBe(["log --graph --oneline", "helper=1", "root root 644", "0", "Test User", ""], result.ToString());
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact(Timeout = Timeout)]
    public async Task A_usb_device_that_is_not_attached_is_exit_3_in_one_line_and_no_qemu_starts()
    {
        var spec = image.WriteSpec("it-usb-missing", "usb:\n  - {vendor: \"1050\", product: \"0407\"}\n");
        using var lethe = LetheProcess.Start(["run", "--spec", spec, "--", "true"], cancellationToken: TestContext.Current.CancellationToken);
        var stderr = lethe.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        var children = new HashSet<string>();
        while (!lethe.HasExited)
        {
            foreach (var child in SecretScan.Children(lethe.Id))
                children.Add(SecretScan.Comm(child));
            await Task.Delay(20, TestContext.Current.CancellationToken);
        }
        await lethe.WaitForExitAsync(TestContext.Current.CancellationToken);
        var errors = await stderr;
        lethe.ExitCode.ShouldBe(3, errors);
        errors.ShouldBe("lethe: usb device 1050:0407: not attached\n");
        children.ShouldNotContain(c => c.StartsWith("qemu", StringComparison.Ordinal));
    }

    [Fact(Timeout = Timeout)]
    public async Task A_machine_with_usb_boots_with_the_pcie_bus_and_the_xhci_controller_driven_in_the_guest()
    {
        // No USB device on this machine: a fake sysfs entry passes lethe's host check; QEMU's usb-host then
        // waits for a device that never comes, and the guest still gets its controller.
        var root = Directory.CreateTempSubdirectory("lethe-it-usb-").FullName;
        try
        {
            var device = Directory.CreateDirectory(Path.Combine(root, "sys", "1-1")).FullName;
            foreach (var (name, value) in new[] { ("idVendor", "1050"), ("idProduct", "0407"), ("busnum", "1"), ("devnum", "4") })
                await File.WriteAllTextAsync(Path.Combine(device, name), value + "\n", TestContext.Current.CancellationToken);
            var node = Path.Combine(Directory.CreateDirectory(Path.Combine(root, "dev", "001")).FullName, "004");
            await File.WriteAllTextAsync(node, "", TestContext.Current.CancellationToken);
            File.SetUnixFileMode(node, (UnixFileMode)0b110_110_110);
            var spec = image.WriteSpec("it-usb-boot", "usb:\n  - {vendor: \"1050\", product: \"0407\"}\n");
            var result = await LetheProcess.RunAsync(["run", "--spec", spec, "--", "sh", "-c",
                "ls /sys/bus/pci/drivers/xhci_hcd | grep -c :; cat /sys/bus/pci/devices/*/class | grep -c 0x0c0330; ls /sys/bus/usb/devices | grep -c usb"],
                environment: new Dictionary<string, string> { ["LETHE_USB_TEST_ROOT"] = root });
            result.ExitCode.ShouldBe(0, result.ToString());
            var counts = result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            counts.Length.ShouldBe(3, result.ToString());
            counts.ShouldAllBe(c => c != "0", result.ToString());
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }
}
