using System.Globalization;

namespace Lethe.Machine.Bench;

/// <summary>Where a figure was measured in the guest.</summary>
public enum SharePlace
{
    /// <summary>A fresh tmpfs of the guest's own: the floor.</summary>
    Tmpfs,
    /// <summary>The workspace shared from the host (virtio-9p), as lethe run mounts it.</summary>
    Workspace,
}

/// <summary>One place's figures from one boot, in milliseconds of the guest's clock.</summary>
public sealed record ShareFigures(double UnpackMs, double StatusColdMs, double StatusWarmMs, double WriteMs, double ReadMs);

/// <summary>One boot: both places, and the workspace's mount line as /proc/mounts showed it.</summary>
public sealed record ShareSample(ShareFigures Tmpfs, ShareFigures Workspace, string WorkspaceMount);

/// <summary>
/// Pure: the guest side of lethe bench share. The script runs as root (for the tmpfs mount and
/// drop_caches); every timed step runs as the spec's user and times itself, so user switching is not
/// counted. It prints "STEP PLACE NANOSECONDS" lines and one "mount ..." line.
/// </summary>
public static class ShareBenchScript
{
    public const string TmpfsFolder = "/run/lethe-bench-tmpfs";
    public const string TarName = "lethe-bench-tree.tar";

    public static string For(string user, string workspace, long fileBytes, int warmStatuses, int tmpfsMiB)
    {
        if (!IsPlainName(user))
            throw new ArgumentException($"not a plain user name: {user}", nameof(user));
        if (!workspace.StartsWith('/') || !workspace.All(c => char.IsAsciiLetterOrDigit(c) || c is '/' or '-' or '_' or '.'))
            throw new ArgumentException($"not a plain absolute path: {workspace}", nameof(workspace));
        var mib = fileBytes / (1024 * 1024);
        return $$"""
            set -eu
            cd /
            U={{user}}
            T={{TmpfsFolder}}
            W={{workspace}}
            mkdir -p "$T"
            mount -t tmpfs -o size={{tmpfsMiB}}m,mode=0755,nosuid,nodev lethe-bench "$T"
            cp "$W/{{TarName}}" "$T/{{TarName}}"
            chown "$U:" "$T"
            printf '[user]\n\tname = lethe bench\n\temail = bench@lethe.invalid\n[safe]\n\tdirectory = *\n' > /run/lethe-bench.gitconfig
            export GIT_CONFIG_GLOBAL=/run/lethe-bench.gitconfig
            # Runs "$@" in folder $1 as the user; prints the nanoseconds it took (its own output is dropped).
            timed() {
              runuser -u "$U" -- env GIT_CONFIG_GLOBAL=/run/lethe-bench.gitconfig bash -c \
                'cd "$1" || exit 1; shift; t0=$(date +%s%N); "$@" >/dev/null || exit 1; t1=$(date +%s%N); echo $((t1 - t0))' bash "$@"
            }
            # Prints "STEP PLACE NANOSECONDS"; a step that fails ends the script (set -e sees the assignment).
            step() {
              local label=$1 place=$2 ns
              shift 2
              ns=$(timed "$@")
              echo "$label $place $ns"
            }
            drop() { sync; echo 3 > /proc/sys/vm/drop_caches; }
            as_user() { local script=$1; shift; runuser -u "$U" -- env GIT_CONFIG_GLOBAL=/run/lethe-bench.gitconfig sh -c "$script" sh "$@"; }
            echo "mount $(awk -v w="$W" '$2 == w { print $3, $4 }' /proc/mounts)"
            for place in tmpfs workspace; do
              if [ $place = tmpfs ]; then d=$T; else d=$W; fi
              runuser -u "$U" -- mkdir "$d/tree"
              step unpack $place "$d/tree" tar -xf "$T/{{TarName}}"
              # Untimed: the repository is made on tmpfs (objects packed, as a repository usually is) and
              # copied into the workspace, whose index is then refreshed: git add over the share is a
              # benchmark of its own (minutes for a few thousand files under TCG).
              if [ $place = tmpfs ]; then
                as_user 'cd "$1" && git init -q && git add -A && git commit -q -m tree && git repack -adq && git prune-packed -q' "$d/tree"
              else
                as_user 'chmod -R u+w "$2/.git" && cp -r "$2/.git" "$1/.git" && cd "$1" && { git update-index -q --refresh >/dev/null || true; }' "$d/tree" "$T/tree"
              fi
              drop
              step status-cold $place "$d/tree" git status --porcelain
              for i in $(seq {{warmStatuses}}); do step status $place "$d/tree" git status --porcelain; done
              step write $place "$d" dd if=/dev/zero of=big bs=1M count={{mib}} conv=fsync status=none
              drop
              step read $place "$d" dd if=big of=/dev/null bs=1M status=none
              rm -f "$d/big"
            done
            rm -rf "$T/tree" "$T/{{TarName}}"
            """;
    }

    /// <summary>Pure: the script's output as figures (warm status: the median of its runs); null when a step is missing or malformed.</summary>
    public static ShareSample? Parse(string output)
    {
        var values = new Dictionary<(string Step, SharePlace Place), List<long>>();
        string? mount = null;
        foreach (var line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (line.StartsWith("mount ", StringComparison.Ordinal))
            {
                mount = line["mount ".Length..];
                continue;
            }
            var words = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (words.Length != 3 || !TryPlace(words[1], out var place)
                || !long.TryParse(words[2], NumberStyles.None, CultureInfo.InvariantCulture, out var ns) || ns <= 0)
                continue;
            if (!values.TryGetValue((words[0], place), out var list))
                values[(words[0], place)] = list = [];
            list.Add(ns);
        }
        var tmpfs = Figures(values, SharePlace.Tmpfs);
        var workspace = Figures(values, SharePlace.Workspace);
        return tmpfs is null || workspace is null || string.IsNullOrWhiteSpace(mount) ? null : new ShareSample(tmpfs, workspace, mount);
    }

    private static ShareFigures? Figures(Dictionary<(string Step, SharePlace Place), List<long>> values, SharePlace place)
    {
        double? Ms(string step, bool median = false) => values.TryGetValue((step, place), out var list) && list.Count > 0
            ? (median ? ShareStatistics.Median(list.Select(v => (double)v)) : list[0]) / 1e6
            : null;
        return Ms("unpack") is { } unpack && Ms("status-cold") is { } cold && Ms("status", median: true) is { } warm
            && Ms("write") is { } write && Ms("read") is { } read
            ? new ShareFigures(unpack, cold, warm, write, read)
            : null;
    }

    private static bool TryPlace(string word, out SharePlace place)
    {
        place = word == "workspace" ? SharePlace.Workspace : SharePlace.Tmpfs;
        return word is "tmpfs" or "workspace";
    }

    private static bool IsPlainName(string name) =>
        name.Length is > 0 and <= 32 && (char.IsAsciiLetterLower(name[0]) || name[0] == '_')
        && name.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '_' or '-');
}
