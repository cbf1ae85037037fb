namespace Lethe.Spec;

/// <summary>The outcome of loading a spec: a valid <see cref="Spec"/>, or every error found.</summary>
public sealed record SpecResult(MachineSpec? Spec, IReadOnlyList<SpecError> Errors)
{
    public bool Ok => Spec is not null && Errors.Count == 0;

    internal static SpecResult Success(MachineSpec spec) => new(spec, []);

    internal static SpecResult Failure(IReadOnlyList<SpecError> errors) => new(null, errors);
}

/// <summary>One problem in a spec. Line and column are 1-based; both are 0 when the file itself could not be read.</summary>
public sealed record SpecError(string File, int Line, int Column, string Message)
{
    public override string ToString() => $"{File}:{Line}:{Column}: {Message}";
}
