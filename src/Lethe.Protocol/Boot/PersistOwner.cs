using System.Globalization;

namespace Lethe.Protocol.Boot;

/// <summary>
/// Resolves a spec owner in the guest's own /etc/passwd: a user name gives its uid and primary group;
/// "uid" gives that uid with its primary group when /etc/passwd knows it (else the same number);
/// "uid:gid" is taken as it is. Null when a name is unknown or the form is wrong.
/// </summary>
public static class PersistOwner
{
    public static OwnerIds? Resolve(string owner, string passwd)
    {
        var users = Parse(passwd);
        var parts = owner.Split(':');
        if (parts.Length == 2)
            return Number(parts[0]) is { } uid && Number(parts[1]) is { } gid ? new OwnerIds(uid, gid) : null;
        if (parts.Length != 1 || owner.Length == 0)
            return null;
        if (Number(owner) is { } onlyUid)
            return users.FirstOrDefault(u => u.Ids.Uid == onlyUid)?.Ids ?? new OwnerIds(onlyUid, onlyUid);
        return users.FirstOrDefault(u => u.Name == owner)?.Ids;
    }

    private sealed record PasswdUser(string Name, OwnerIds Ids);

    private static List<PasswdUser> Parse(string passwd)
    {
        var users = new List<PasswdUser>();
        foreach (var line in passwd.Split('\n'))
        {
            var fields = line.Split(':');
            if (fields.Length >= 4 && Number(fields[2]) is { } uid && Number(fields[3]) is { } gid)
                users.Add(new PasswdUser(fields[0], new OwnerIds(uid, gid)));
        }
        return users;
    }

    private static int? Number(string text) =>
        text.Length is > 0 and <= 9 && text.All(char.IsAsciiDigit) ? int.Parse(text, CultureInfo.InvariantCulture) : null;
}
