using Lethe.Core;
using Lethe.Machine.SignedChannel;

namespace Lethe.Tests.SignedChannel;

public sealed class ChannelInputTests
{
    private const string Key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHmyN39mRwPXU+eBerPZddCJ/6cA publisher";

    [Theory]
    [InlineData("lethe-channel namespaces=\"lethe-channel\" " + Key)]
    [InlineData("# pinned\nalice,lethe-channel " + Key)]
    [InlineData("lethe-* " + Key)]
    public void Allowed_signers_must_name_the_channel_principal(string text) =>
        AllowedSigners.Parse(text, "signers").Text.ShouldEndWith("\n");

    [Fact]
    public void Allowed_signers_for_another_principal_only_are_a_usage_error()
    {
        var error = Should.Throw<UsageException>(() => AllowedSigners.Parse("alice@example.org " + Key, "signers"));
        error.Message.ShouldContain("no allowed signer for the principal lethe-channel");
    }

    [Fact]
    public void A_location_is_a_folder_or_an_http_url_with_a_trailing_slash()
    {
        ChannelLocation.Parse("chan", "/srv").Folder.ShouldBe("/srv/chan");
        var url = ChannelLocation.Parse("https://example.org/lethe/main", "/srv");
        url.Url!.ToString().ShouldBe("https://example.org/lethe/main/");
        url.Resolve("channel.json").ShouldBe("https://example.org/lethe/main/channel.json");
        ChannelLocation.Parse("http://127.0.0.1:8080/", "/").Resolve("images/x/vmlinux").ShouldBe("http://127.0.0.1:8080/images/x/vmlinux");
    }

    [Theory]
    [InlineData("ftp://example.org/c")]
    [InlineData("file:///srv/c")]
    [InlineData("https://example.org/c?x=1")]
    public void Other_locations_are_usage_errors(string text) =>
        Should.Throw<UsageException>(() => ChannelLocation.Parse(text, "/"));
}
