namespace Lethe.Protocol.Boot;

/// <summary>
/// Pure: the files the seed stages into the new root before any user process runs. share.git_config
/// becomes /etc/gitconfig, root's and 0644, created new and never through a link (a persisted
/// /etc/gitconfig the user may have replaced with a link is removed first, and never followed).
/// </summary>
public static class SharedConfigPlan
{
    public static IReadOnlyList<BootStep> For(GuestSeed seed) => seed.GitConfig is { } text
        ? [new RemoveEntry(SeedLayout.SystemGitConfig, "/etc"), new WriteNewFile(SeedLayout.SystemGitConfig, new Ownership(0, 0, 0b110_100_100), text)]
        : [];
}
