namespace Lethe.Spec;

public enum UpdateSourceKind { Path, Git, Channel }

/// <summary>
/// update: where a workstation's generations come from and how often lethe looks. The machine follows the source:
/// lethe update builds (path, git) or downloads (channel) a new generation and stages it for the next boot.
/// </summary>
/// <param name="Location">Path: the source spec file (a folder's lethe.yaml); Git: the repository URL;
/// Channel: the channel's folder or http(s) URL.</param>
/// <param name="Branch">Git only: the branch to follow (null: the remote's default branch).</param>
/// <param name="Signers">Channel only: the pinned allowed-signers file (ssh-keygen -Y format).</param>
/// <param name="Keep">How many generations to keep; older ones are collected.</param>
public sealed record UpdateSpec(UpdateSourceKind Kind, string Location, string? Branch, TimeSpan Every, string? Signers, int Keep = UpdateSpec.DefaultKeep)
{
    public const int DefaultKeep = 3;
    public static readonly TimeSpan DefaultEvery = TimeSpan.FromHours(1);
    public static readonly TimeSpan MinEvery = TimeSpan.FromSeconds(10);

    public override string ToString() => Kind switch
    {
        UpdateSourceKind.Git => Branch is null ? $"git {Location}" : $"git {Location}#{Branch}",
        UpdateSourceKind.Channel => $"channel {Location}",
        _ => Location,
    };
}
