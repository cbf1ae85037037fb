using Lethe.Spec;

namespace Lethe.Tests.Spec;

/// <summary>scratch: an encrypted scratch disk, as {size, overlay} or the shorthand "scratch: 20G".</summary>
public sealed class SpecScratchTests
{
    [Fact]
    public void Absent_scratch_is_null()
    {
        SpecAssert.Valid("").Scratch.ShouldBeNull();
        SpecAssert.Valid("scratch:\n").Scratch.ShouldBeNull();
    }

    [Fact]
    public void Shorthand_is_the_size_without_overlay() =>
        SpecAssert.Valid("scratch: 20G").Scratch.ShouldBe(new ScratchSpec(20480, false));

    [Fact]
    public void Mapping_reads_size_and_overlay() =>
        SpecAssert.Valid("scratch:\n  size: 40G\n  overlay: true\n").Scratch.ShouldBe(new ScratchSpec(40960, true));

    [Fact]
    public void Overlay_defaults_to_false() =>
        SpecAssert.Valid("scratch: {size: 1G}").Scratch.ShouldBe(new ScratchSpec(1024));

    [Theory]
    [InlineData("512M", 512)]
    [InlineData("1.5G", 1536)]
    [InlineData("16T", 16777216)]
    [InlineData("16TiB", 16777216)]
    [InlineData("4096", 4096)]
    [InlineData("\"600\"", 600)]
    public void Size_accepts_sizes_and_integer_MiB(string written, long expectedMiB)
    {
        SpecAssert.Valid($"scratch: {written}").Scratch!.SizeMiB.ShouldBe(expectedMiB);
        SpecAssert.Valid($"scratch:\n  size: {written}\n").Scratch!.SizeMiB.ShouldBe(expectedMiB);
    }

    [Theory]
    [InlineData("scratch: 256M", "1:10: scratch: 256M is out of range 512M..16T")]
    [InlineData("scratch: 100", "1:10: scratch: 100M is out of range 512M..16T")]
    [InlineData("scratch: 17T", "1:10: scratch: 17T is out of range 512M..16T")]
    [InlineData("scratch: -1G", "1:10: scratch: expected a size like \"20G\" (512M..16T) or an integer number of MiB, got '-1G'")]
    [InlineData("scratch: yes", "1:10: scratch: expected a size like \"20G\" (512M..16T) or an integer number of MiB, got 'yes'")]
    [InlineData("scratch: [20G]", "1:10: scratch: expected a size like \"20G\", or a mapping with keys size, overlay, got a list")]
    [InlineData("scratch:\n  size: huge", "2:9: scratch.size: expected a size like \"20G\" (512M..16T) or an integer number of MiB, got 'huge'")]
    [InlineData("scratch:\n  size: 1025K", "2:9: scratch.size: expected a size like \"20G\" (512M..16T) or an integer number of MiB, got '1025K'")]
    [InlineData("scratch:\n  size: 1M", "2:9: scratch.size: 1M is out of range 512M..16T")]
    [InlineData("scratch:\n  size: 20G\n  overlay: yes", "3:12: scratch.overlay: expected true or false, got 'yes'")]
    [InlineData("scratch:\n  overlay: true", "2:3: scratch: missing required key 'size'")]
    [InlineData("scratch: {}", "1:10: scratch: missing required key 'size'")]
    [InlineData("scratch:\n  size:\n  overlay: true", "2:3: scratch: missing required key 'size'")]
    public void Wrong_values_are_reported_at_the_value(string yaml, string expected) =>
        SpecAssert.SingleError(yaml, expected);

    [Theory]
    [InlineData("scratch:\n  size: 20G\n  sise: 1G", "3:3: unknown key 'sise' in scratch (did you mean 'size'?)")]
    [InlineData("scratch:\n  size: 20G\n  overlya: true", "3:3: unknown key 'overlya' in scratch (did you mean 'overlay'?)")]
    [InlineData("scrach: 20G", "1:1: unknown key 'scrach' at top level (did you mean 'scratch'?)")]
    public void Unknown_keys_get_a_suggestion(string yaml, string expected) => SpecAssert.SingleError(yaml, expected);
}
