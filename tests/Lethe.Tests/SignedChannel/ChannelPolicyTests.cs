using Lethe.Machine.SignedChannel;
using Lethe.Spec;
using static Lethe.Tests.SignedChannel.ChannelManifestTests;

namespace Lethe.Tests.SignedChannel;

public sealed class ChannelPolicyTests
{
    private static readonly string Other = new('f', 64);

    [Fact]
    public void A_new_channel_starts_at_version_1_and_each_publish_adds_one()
    {
        ChannelPolicy.NextVersion(null).ShouldBe(1);
        ChannelPolicy.NextVersion(Manifest(version: 41)).ShouldBe(42);
    }

    [Fact]
    public void The_publisher_stamps_whole_seconds_and_the_lifetime()
    {
        var manifest = ChannelPolicy.Manifest(Manifest(version: 2), Now.AddMilliseconds(700), TimeSpan.FromHours(12), Generation());
        manifest.Version.ShouldBe(3);
        manifest.Published.ShouldBe(Now);
        manifest.Expires.ShouldBe(Now.AddHours(12));
        manifest.Schema.ShouldBe(ChannelLayout.Schema);
        Should.Throw<ArgumentOutOfRangeException>(() => ChannelPolicy.Manifest(null, Now, TimeSpan.Zero, Generation()));
    }

    [Fact]
    public void A_first_manifest_and_a_newer_one_are_accepted()
    {
        ChannelPolicy.Decide(Manifest(version: 1), null, Now).ShouldBe(ChannelVerdict.Accept);
        ChannelPolicy.Decide(Manifest(version: 5, digest: Other), new ChannelPosition(4, Digest), Now).ShouldBe(ChannelVerdict.Accept);
    }

    [Fact]
    public void The_accepted_version_with_the_accepted_image_is_up_to_date()
    {
        ChannelPolicy.Decide(Manifest(version: 4), new ChannelPosition(4, Digest), Now).ShouldBe(ChannelVerdict.UpToDate);
    }

    [Theory]
    [InlineData(3, "older than version 4")]
    [InlineData(1, "older than version 4")]
    public void An_older_version_is_a_rollback_even_with_the_same_image(long version, string expected)
    {
        var refusal = Should.Throw<ChannelRefusedException>(() => ChannelPolicy.Decide(Manifest(version), new ChannelPosition(4, Digest), Now));
        refusal.Reason.ShouldBe(ChannelRefusal.Rollback);
        refusal.Message.ShouldContain(expected);
    }

    [Fact]
    public void The_accepted_version_naming_another_image_is_refused()
    {
        var refusal = Should.Throw<ChannelRefusedException>(() => ChannelPolicy.Decide(Manifest(4, Other), new ChannelPosition(4, Digest), Now));
        refusal.Reason.ShouldBe(ChannelRefusal.Rollback);
    }

    [Fact]
    public void An_expired_manifest_is_refused_even_when_newer()
    {
        var manifest = Manifest(version: 9, lifetime: TimeSpan.FromSeconds(1));
        ChannelPolicy.Decide(manifest, null, Now).ShouldBe(ChannelVerdict.Accept);
        var refusal = Should.Throw<ChannelRefusedException>(() => ChannelPolicy.Decide(manifest, new ChannelPosition(1, Digest), Now.AddSeconds(1)));
        refusal.Reason.ShouldBe(ChannelRefusal.Expired);
        refusal.Message.ShouldBe("channel refused: the manifest (version 9) expired at 2026-11-28 05:00:01Z; the publisher must publish again");
    }

    [Theory]
    [InlineData("7d", 7 * 24 * 3600)]
    [InlineData("12h", 12 * 3600)]
    [InlineData("30m", 1800)]
    [InlineData("1s", 1)]
    public void Durations_are_a_whole_number_and_a_unit(string text, long seconds) =>
        DurationText.TryParse(text).ShouldBe(TimeSpan.FromSeconds(seconds));

    [Theory]
    [InlineData("")]
    [InlineData("7")]
    [InlineData("0d")]
    [InlineData("-1d")]
    [InlineData("1w")]
    [InlineData("1.5h")]
    [InlineData("99999999999999d")]
    public void Other_durations_are_refused(string text) => DurationText.TryParse(text).ShouldBeNull();
}
