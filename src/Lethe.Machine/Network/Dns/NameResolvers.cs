namespace Lethe.Machine.Network.Dns;

/// <summary>Composition: the resolver a machine's gateway uses, chosen from the environment.</summary>
public static class NameResolvers
{
    /// <summary>Names a hosts-format file whose names resolve before the host's resolver is asked (tests map
    /// their names to servers on 127.0.0.1 with it).</summary>
    public const string HostsOverrideVariable = "LETHE_NET_HOSTS";

    public static INameResolver FromEnvironment()
    {
        var system = new SystemResolver();
        var path = Environment.GetEnvironmentVariable(HostsOverrideVariable);
        if (string.IsNullOrEmpty(path))
            return system;
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new Lethe.Core.LetheException($"{HostsOverrideVariable}: cannot read {path}: {e.Message}");
        }
        return new HostsFileResolver(HostsFileResolver.Parse(text), system);
    }
}
