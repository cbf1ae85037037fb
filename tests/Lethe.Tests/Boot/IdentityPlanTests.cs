using Lethe.Protocol.Boot;

namespace Lethe.Tests.Boot;

/// <summary>machine-id and SSH host keys: kept from the persist disk, or fresh at every boot.</summary>
public sealed class IdentityPlanTests
{
    private static readonly string[] SavedKeys = ["ssh_host_ed25519_key", "ssh_host_ed25519_key.pub", "ssh_host_rsa_key", "ssh_host_rsa_key.pub"];

    [Theory]
    [InlineData(true, true, true, true, HostKeyAction.Restore)]
    [InlineData(true, true, false, false, HostKeyAction.Restore)]
    [InlineData(true, false, true, true, HostKeyAction.GenerateAndSave)]
    [InlineData(true, false, true, false, HostKeyAction.None)]
    [InlineData(true, false, false, true, HostKeyAction.None)]
    [InlineData(false, true, true, true, HostKeyAction.Generate)]
    [InlineData(false, false, true, true, HostKeyAction.Generate)]
    [InlineData(false, false, true, false, HostKeyAction.None)]
    [InlineData(false, false, false, true, HostKeyAction.None)]
    public void The_host_key_is_restored_generated_and_saved_or_fresh_only_when_sshd_will_run(bool keep, bool saved, bool keygen, bool server, HostKeyAction action) =>
        HostKeyPlan.Decide(keep, saved ? SavedKeys : [], keygen, server).ShouldBe(action);

    [Fact]
    public void A_saved_set_without_the_ed25519_private_key_is_not_restored() =>
        HostKeyPlan.Decide(true, ["ssh_host_ed25519_key.pub", "ssh_host_rsa_key", "moduli", "ssh_host__key"], true, true).ShouldBe(HostKeyAction.GenerateAndSave);

    [Theory]
    [InlineData("ssh_host_ed25519_key", "600")]
    [InlineData("ssh_host_ed25519_key.pub", "644")]
    public void The_private_key_is_0600_and_the_public_key_0644(string name, string mode) =>
        HostKeyPlan.Mode(name).ShouldBe(FakeTree.Octal(mode));

    [Theory]
    [InlineData("ssh_config")]
    [InlineData("sshd_config")]
    [InlineData("moduli")]
    [InlineData("ssh_host_rsa_key")]
    [InlineData("ssh_host_ecdsa_key.pub")]
    [InlineData("ssh_host_ed25519_key.bak")]
    [InlineData("ssh_host_.pub")]
    public void Other_files_are_not_the_host_key(string name) =>
        HostKeyPlan.Mode(name).ShouldBeNull();

    [Fact]
    public void A_new_machine_id_is_32_lowercase_hex_digits_and_differs_each_time()
    {
        var id = MachineId.New();

        MachineId.Parse(id).ShouldBe(id);
        MachineId.New().ShouldNotBe(id);
    }

    [Theory]
    [InlineData("0123456789abcdef0123456789abcdef\n", "0123456789abcdef0123456789abcdef")]
    [InlineData("0123456789ABCDEF0123456789abcdef", null)]
    [InlineData("00000000000000000000000000000000", null)]
    [InlineData("0123456789abcdef", null)]
    [InlineData("", null)]
    [InlineData("uninitialized\n", null)]
    public void A_saved_machine_id_is_used_only_when_valid(string text, string? expected) =>
        MachineId.Parse(text).ShouldBe(expected);
}
