using Lethe.Machine.Export;

namespace Lethe.Tests.Export;

/// <summary>--persist-size and --authorized-keys are refused where a format has no use for them, before anything is built.</summary>
public sealed class ExportOptionTests
{
    [Theory]
    [InlineData(ExportFormat.Qcow2, 64L, true)]
    [InlineData(ExportFormat.ContainerDisk, 64L, true)]
    [InlineData(ExportFormat.K8s, 64L, false)]
    [InlineData(ExportFormat.Oci, null, false)]
    public void The_options_a_format_uses_are_accepted(ExportFormat format, long? persistSize, bool keys) =>
        ExportFormats.OptionProblem(format, persistSize, keys).ShouldBeNull();

    [Theory]
    [InlineData(ExportFormat.Qcow2, 0L, false, "--persist-size: give a size in MiB greater than 0")]
    [InlineData(ExportFormat.Oci, 64L, false, "--persist-size: oci has no persist disk (qcow2, containerdisk and k8s do)")]
    [InlineData(ExportFormat.Lxc, null, true, "--authorized-keys: lxc runs no sshd of its own (qcow2 and containerdisk do)")]
    [InlineData(ExportFormat.K8s, null, true, "--authorized-keys: k8s runs no sshd of its own (qcow2 and containerdisk do)")]
    public void Options_a_format_ignores_are_usage_errors(ExportFormat format, long? persistSize, bool keys, string expected) =>
        ExportFormats.OptionProblem(format, persistSize, keys).ShouldBe(expected);
}
