using Lethe.Protocol;

namespace Lethe.Tests.Protocol;

public sealed class UntrustedTextTests
{
    [Theory]
    [InlineData("\u001b]0;pwned\u0007", "^[]0;pwned^G")]
    [InlineData("\u001b[2Jclear", "^[[2Jclear")]
    [InlineData("a\rb", "a^Mb")]
    [InlineData("two\nlines", "two^Jlines")]
    [InlineData("tab\tok", "tab\tok")]
    [InlineData("csi\u009b31m", "csi\uFFFD31m")]
    [InlineData("bidi\u202eevil", "bidi\uFFFDevil")]
    [InlineData("del\u007f", "del^?")]
    [InlineData("plain é ü 漢", "plain é ü 漢")]
    public void One_line_shows_every_control_character_visibly(string text, string shown) =>
        UntrustedText.ForLine(text).ShouldBe(shown);

    [Fact]
    public void Several_lines_keep_newlines_and_turn_cr_lf_into_newlines()
    {
        UntrustedText.ForLines("[ 0.1] boot\r\n\u001b[2Jnext\rover\n").ShouldBe("[ 0.1] boot\n^[[2Jnext^Mover\n");
    }

    [Fact]
    public void A_filter_over_pieces_joins_a_cr_lf_split_between_them()
    {
        var filter = new UntrustedTextFilter();
        (filter.Next("one\r") + filter.Next("\ntwo\r") + filter.Next("x\u0007") + filter.Next("end\r") + filter.End()).ShouldBe("one\ntwo^Mx^Gend^M");
    }
}
