using Lethe.Spec;

namespace Lethe.Tests.Spec;

internal static class SpecAssert
{
    public const string File = "test.yaml";

    public static MachineSpec Valid(string yaml)
    {
        var result = SpecLoader.Parse(yaml, File);
        result.Errors.ShouldBeEmpty();
        result.Ok.ShouldBeTrue();
        return result.Spec.ShouldNotBeNull();
    }

    /// <summary>The errors as "line:col: message", in the order reported.</summary>
    public static string[] Errors(string yaml)
    {
        var result = SpecLoader.Parse(yaml, File);
        result.Ok.ShouldBeFalse();
        result.Spec.ShouldBeNull();
        return [.. result.Errors.Select(error => $"{error.Line}:{error.Column}: {error.Message}")];
    }

    public static void SingleError(string yaml, string expected) => Errors(yaml).ShouldBe([expected]);
}
