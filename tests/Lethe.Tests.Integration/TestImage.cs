namespace Lethe.Tests.Integration;

/// <summary>
/// The spec files the tests boot. They differ only in what cannot change the image (name, init), so the
/// whole run builds one image, once, and every test shares it.
/// </summary>
public sealed class TestImage : IAsyncLifetime
{
    public string Folder { get; } = Directory.CreateTempSubdirectory("lethe-it-").FullName;
    public string FastSpec => Path.Combine(Folder, "fast.yaml");
    public string SystemdSpec => Path.Combine(Folder, "systemd.yaml");
    /// <summary>A workstation: the same image, with an allowlist.</summary>
    public string WorkstationSpec => Path.Combine(Folder, "workstation.yaml");

    private const string Body = """
        image:
          suite: bookworm
          # Clients and a listener for the network tests; gpg and ssh-add/ssh-keygen for signing through a
          # forwarded agent; git for share.git_config.
          packages: [curl, iproute2, netcat-openbsd, gpg, openssh-client, git]
        user:
          name: dev
          uid: 1000
          sudo: true
        resources:
          memory: 768
          cpus: 2
        env:
          LETHE_TEST: "yes"
        """;

    private const string Workstation = """

        persist:
          size: 256M
          paths:
            - /etc/keep
            - ~/src
            - {path: ~/.config/tool/settings, type: file}
            - {path: ~/private, mode: "0700"}
        """;

    public async ValueTask InitializeAsync()
    {
        await File.WriteAllTextAsync(FastSpec, "name: it-fast\ninit: fast\n" + Body);
        await File.WriteAllTextAsync(SystemdSpec, "name: it-systemd\ninit: systemd\n" + Body);
        await File.WriteAllTextAsync(WorkstationSpec, "name: it-ws\ninit: fast\n" + Body + Workstation);
        // The lock of an earlier run: with it the cached image is found at once instead of resolved anew.
        if (File.Exists(KeptLock))
            File.Copy(KeptLock, Path.ChangeExtension(FastSpec, ".lock"));
        var build = await LetheProcess.RunAsync(["build", "--spec", FastSpec], timeout: TimeSpan.FromMinutes(20));
        if (build.ExitCode != 0)
            throw new InvalidOperationException("building the test image failed: " + build);
        // Each spec keeps its own lock of package versions; sharing it makes the systemd spec's image the same one.
        foreach (var spec in new[] { SystemdSpec, WorkstationSpec })
            File.Copy(Path.ChangeExtension(FastSpec, ".lock"), Path.ChangeExtension(spec, ".lock"), overwrite: true);
        Directory.CreateDirectory(LetheProcess.LetheHome);
        File.Copy(Path.ChangeExtension(FastSpec, ".lock"), KeptLock, overwrite: true);
    }

    /// <summary>A spec of the same image with more sections (network, forwards...), in the test folder, with the shared lock.</summary>
    public string WriteSpec(string name, string sections)
    {
        var spec = Path.Combine(Folder, name + ".yaml");
        File.WriteAllText(spec, $"name: {name}\ninit: fast\n" + Body + "\n" + sections);
        File.Copy(Path.ChangeExtension(FastSpec, ".lock"), Path.ChangeExtension(spec, ".lock"), overwrite: true);
        return spec;
    }

    private static string KeptLock => Path.Combine(LetheProcess.LetheHome, "test-image.lock");

    public ValueTask DisposeAsync()
    {
        Directory.Delete(Folder, recursive: true);
        return ValueTask.CompletedTask;
    }
}

[CollectionDefinition(Name)]
public sealed class MachineCollection : ICollectionFixture<TestImage>
{
    public const string Name = "machines";
}
