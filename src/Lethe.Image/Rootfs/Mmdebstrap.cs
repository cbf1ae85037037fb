using System.Globalization;
using Lethe.Core;
using Lethe.Image.Keys;

namespace Lethe.Image.Rootfs;

/// <summary>The mmdebstrap invocation that creates a rootfs for a recipe (pure: builds the command only).</summary>
public static class Mmdebstrap
{
    public const string Mirror = "http://deb.debian.org/debian";
    public const string SecurityMirror = "http://deb.debian.org/debian-security";

    /// <summary>Where the lock's apt preferences go inside the chroot while apt resolves packages.</summary>
    public const string PinFileInChroot = "etc/apt/preferences.d/lethe-lock";

    private static readonly HashSet<string> SuitesWithoutUpdates = new(StringComparer.Ordinal) { "sid", "unstable", "experimental", "rc-buggy" };

    /// <param name="pinFile">A host file with apt preferences for the lock, or null when nothing is locked yet.</param>
    /// <param name="mode">root, or unshare (run as namespace root through <see cref="TreeAccess.Wrap"/>).</param>
    public static HostCommand Command(ImageRecipe recipe, string target, string? pinFile, string mode = "root")
    {
        var arguments = new List<string>
        {
            "--mode=" + mode,
            "--variant=minbase",
            "--format=directory",
            "--include=" + string.Join(',', recipe.IncludedPackages),
            "--aptopt=Acquire::Retries \"3\"",
        };
        if (pinFile is not null)
            arguments.Add($"--setup-hook=mkdir -p \"$1/etc/apt/preferences.d\" && cp {ShellQuote(pinFile)} \"$1/{PinFileInChroot}\"");
        arguments.Add(recipe.Suite);
        arguments.Add(target);
        arguments.AddRange(SourcesFor(recipe.Suite));
        return new HostCommand("mmdebstrap")
            .WithArguments(arguments)
            .WithEnvironment("SOURCE_DATE_EPOCH", ImageKey.SourceDateEpoch.ToString(CultureInfo.InvariantCulture))
            .WithTimeout(TimeSpan.FromMinutes(30));
    }

    /// <summary>Main, plus updates and security for released suites (what mmdebstrap picks by default).</summary>
    public static IReadOnlyList<string> SourcesFor(string suite) =>
        SuitesWithoutUpdates.Contains(suite)
            ? [$"deb {Mirror} {suite} main"]
            : [$"deb {Mirror} {suite} main", $"deb {Mirror} {suite}-updates main", $"deb {SecurityMirror} {suite}-security main"];

    public static string ShellQuote(string text) => "'" + text.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
}
