using Lethe.Protocol;
using Lethe.Protocol.Boot;

namespace Lethe.Guest.Boot;

/// <summary>Stages the seed's shared configuration (share.git_config) in the new root; a failure is a warning, not a failed boot.</summary>
internal static class SharedConfig
{
    public static IReadOnlyList<string> Apply(GuestSeed seed)
    {
        foreach (var step in SharedConfigPlan.For(seed))
        {
            var outcome = StepRunner.Try(step);
            if (!outcome.Ok)
                return [$"share.git_config: {SeedLayout.SystemGitConfig} not written: {outcome.Error}"];
        }
        return [];
    }
}
