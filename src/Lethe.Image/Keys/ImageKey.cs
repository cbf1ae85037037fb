using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Lethe.Image.Lock;
using Lethe.Image.Modules;

namespace Lethe.Image.Keys;

/// <summary>Cache keys: one for the root file system (with kernel and modules), one for the whole image set.</summary>
/// <param name="Rootfs">Hash of the recipe and the lock: what rootfs.erofs, vmlinux and the modules come from.</param>
/// <param name="Digest">Hash of <paramref name="Rootfs"/> and the guest init: names the image set.</param>
public sealed record ImageKeys(string Rootfs, string Digest);

/// <summary>
/// Pure hashing of canonical text. Anything that can change the bytes of the image goes in; bump
/// <see cref="SchemaVersion"/> whenever the way an image is built changes.
/// </summary>
public static class ImageKey
{
    public const int SchemaVersion = 2;

    /// <summary>Fixed time for every timestamp the build writes (SOURCE_DATE_EPOCH), 2024-01-01 UTC.</summary>
    public const long SourceDateEpoch = 1704067200;

    public static string CanonicalRecipe(ImageRecipe recipe)
    {
        var text = new StringBuilder()
            .Append("lethe-rootfs ").Append(SchemaVersion).Append('\n')
            .Append("suite ").Append(recipe.Suite).Append('\n');
        foreach (var package in recipe.IncludedPackages.Order(StringComparer.Ordinal))
            text.Append("package ").Append(package).Append('\n');
        text.Append("user ").Append(recipe.UserName).Append(' ').Append(recipe.UserUid.ToString(CultureInfo.InvariantCulture))
            .Append(" sudo=").Append(recipe.UserSudo ? "yes" : "no").Append('\n');
        foreach (var file in recipe.Files.OrderBy(file => file.Destination, StringComparer.Ordinal))
            text.Append("file ").Append(file.Destination).Append(' ')
                .Append(Convert.ToString(file.Mode, 8).PadLeft(4, '0')).Append(' ').Append(file.Sha256).Append('\n');
        foreach (var module in WantedModules.All)
            text.Append("module ").Append(module.Name).Append(module.Optional ? "?" : "").Append('\n');
        return text.ToString();
    }

    /// <summary>Names a build before its lock is known (used to serialize builds of the same spec).</summary>
    public static string RecipeKey(ImageRecipe recipe) => Sha256Hex(CanonicalRecipe(recipe));

    public static string RootfsKey(ImageRecipe recipe, PackageLock packageLock) =>
        Sha256Hex(CanonicalRecipe(recipe) + "lock\n" + packageLock.Format());

    public static string Digest(string rootfsKey, string guestInitSha256) =>
        Sha256Hex($"lethe-image {SchemaVersion}\nrootfs {rootfsKey}\ninit {guestInitSha256}\n");

    public static ImageKeys Compute(ImageRecipe recipe, PackageLock packageLock, string guestInitSha256)
    {
        var rootfs = RootfsKey(recipe, packageLock);
        return new ImageKeys(rootfs, Digest(rootfs, guestInitSha256));
    }

    /// <summary>A stable file system UUID for the erofs image, taken from its key.</summary>
    public static Guid FileSystemUuid(string rootfsKey)
    {
        var bytes = Convert.FromHexString(rootfsKey.AsSpan(0, 32));
        bytes[6] = (byte)((bytes[6] & 0x0F) | 0x40);
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80);
        return new Guid(bytes, bigEndian: true);
    }

    public static string Sha256Hex(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));

    public static string Sha256OfFile(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }
}
