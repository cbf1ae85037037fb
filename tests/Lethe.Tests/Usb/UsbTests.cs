using Lethe.Core;
using Lethe.Machine.Usb;
using Lethe.Spec;

namespace Lethe.Tests.Usb;

public sealed class UsbArgumentsTests
{
    private static readonly string[] Base = ["-M", "microvm,x-option-roms=off,dump-guest-core=off", "-nodefaults", "-m", "1024M"];

    [Fact]
    public void Without_devices_the_arguments_stay_exactly_as_they_were()
    {
        UsbArguments.Apply(Base, []).ShouldBe(Base);
    }

    [Fact]
    public void Devices_get_the_pcie_bus_one_xhci_controller_and_a_usb_host_each()
    {
        var arguments = UsbArguments.Apply(Base, [new UsbDeviceSpec("1050", "0407"), new UsbDeviceSpec("20a0", "42b1")]);
        arguments.ShouldBe(
        [
            "-M", "microvm,x-option-roms=off,dump-guest-core=off,pcie=on", "-nodefaults", "-m", "1024M",
            "-device", "qemu-xhci,id=usb",
            "-device", "usb-host,bus=usb.0,vendorid=0x1050,productid=0x0407",
            "-device", "usb-host,bus=usb.0,vendorid=0x20a0,productid=0x42b1",
        ]);
    }

    [Theory]
    [InlineData("1050,x=y")]
    [InlineData("105")]
    [InlineData("ABCD")]
    public void An_id_that_is_not_four_lower_case_hex_digits_never_reaches_qemu(string vendor)
    {
        Should.Throw<ArgumentException>(() => UsbArguments.Apply(Base, [new UsbDeviceSpec(vendor, "0407")]));
    }
}

/// <summary>The host check on a fake sysfs and usbfs tree.</summary>
public sealed class UsbHostCheckTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("lethe-usb-").FullName;
    private string Devices => Path.Join(_root, "sys");
    private string Nodes => Path.Join(_root, "dev");

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private void Attach(string entry, string vendor, string product, int bus, int number, bool node = true)
    {
        var folder = Directory.CreateDirectory(Path.Join(Devices, entry)).FullName;
        File.WriteAllText(Path.Join(folder, "idVendor"), vendor + "\n");
        File.WriteAllText(Path.Join(folder, "idProduct"), product + "\n");
        File.WriteAllText(Path.Join(folder, "busnum"), $"{bus}\n");
        File.WriteAllText(Path.Join(folder, "devnum"), $"{number}\n");
        if (node)
        {
            Directory.CreateDirectory(Path.Join(Nodes, bus.ToString("D3", System.Globalization.CultureInfo.InvariantCulture)));
            File.WriteAllText(Path.Join(Nodes, bus.ToString("D3", System.Globalization.CultureInfo.InvariantCulture), number.ToString("D3", System.Globalization.CultureInfo.InvariantCulture)), "");
        }
    }

    private UsbHost Host(Func<string, bool>? canReadWrite = null, bool asRoot = false) =>
        new(Devices, Nodes, "alice", asRoot, canReadWrite ?? (_ => true));

    [Fact]
    public void An_attached_device_whose_node_opens_read_write_passes()
    {
        Attach("usb1", "1d6b", "0002", 1, 1);
        Attach("1-1", "1050", "0407", 1, 4);
        Directory.CreateDirectory(Path.Join(Devices, "1-1:1.0"));
        var opened = new List<string>();
        UsbHostCheck.Require([new UsbDeviceSpec("1050", "0407")], Host(n => { opened.Add(n); return true; }));
        opened.ShouldBe([Path.Join(Nodes, "001", "004")]);
    }

    [Fact]
    public void A_device_that_is_not_there_is_exit_3_in_one_line()
    {
        Attach("1-1", "1050", "0406", 1, 4);
        var error = Should.Throw<HostException>(() => UsbHostCheck.Require([new UsbDeviceSpec("1050", "0407")], Host()));
        error.ExitCode.ShouldBe(ExitCodes.HostCannot);
        error.Message.ShouldBe("usb device 1050:0407: not attached");
    }

    [Fact]
    public void No_usb_at_all_on_the_host_is_not_attached_either()
    {
        var error = Should.Throw<HostException>(() => UsbHostCheck.Require([new UsbDeviceSpec("1050", "0407")], Host()));
        error.Message.ShouldBe("usb device 1050:0407: not attached");
    }

    [Fact]
    public void Upper_case_ids_in_sysfs_still_match()
    {
        Attach("2-3", "20A0", "42B1", 2, 17);
        UsbHostCheck.Problem(new UsbDeviceSpec("20a0", "42b1"), Host()).ShouldBeNull();
    }

    [Fact]
    public void A_node_this_user_cannot_open_says_which_and_how_to_fix_it()
    {
        Attach("1-1", "1050", "0407", 1, 4);
        var error = Should.Throw<HostException>(() => UsbHostCheck.Require([new UsbDeviceSpec("1050", "0407")], Host(_ => false)));
        error.ExitCode.ShouldBe(ExitCodes.HostCannot);
        error.Message.ShouldStartWith($"usb device 1050:0407: {Path.Join(Nodes, "001", "004")} is not writable by alice (add a udev rule");
        error.Message.ShouldNotContain("\n");
    }

    [Fact]
    public void As_root_the_node_must_be_open_to_qemus_unprivileged_account()
    {
        Attach("1-1", "1050", "0407", 1, 4);
        var error = Should.Throw<HostException>(() => UsbHostCheck.Require([new UsbDeviceSpec("1050", "0407")], Host(_ => false, asRoot: true)));
        error.Message.ShouldContain("unprivileged account QEMU runs as");
    }

    [Fact]
    public void A_device_in_sysfs_without_its_node_is_said()
    {
        Attach("1-1", "1050", "0407", 1, 4, node: false);
        UsbHostCheck.Problem(new UsbDeviceSpec("1050", "0407"), Host()).ShouldBe($"{Path.Join(Nodes, "001", "004")} is missing");
    }

    [Fact]
    public void One_of_two_identical_keys_that_opens_is_enough()
    {
        Attach("1-1", "1050", "0407", 1, 4);
        Attach("1-2", "1050", "0407", 1, 5);
        UsbHostCheck.Problem(new UsbDeviceSpec("1050", "0407"), Host(n => n.EndsWith("005", StringComparison.Ordinal))).ShouldBeNull();
    }
}
