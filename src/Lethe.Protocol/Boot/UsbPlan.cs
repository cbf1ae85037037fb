namespace Lethe.Protocol.Boot;

/// <summary>Pure: what a machine with host USB devices needs in the guest.</summary>
public static class UsbPlan
{
    /// <summary>The xHCI controller's driver (usbcore and xhci_hcd come as its dependencies), and the HID
    /// driver that gives a security key its /dev/hidraw node; names the kernel lacks are skipped.</summary>
    public static readonly IReadOnlyList<string> Modules = ["xhci_pci", "usbhid", "hid_generic"];
}
