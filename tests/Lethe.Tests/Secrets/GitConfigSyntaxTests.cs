using Lethe.Machine.Secrets;

namespace Lethe.Tests.Secrets;

public sealed class GitConfigSyntaxTests
{
    [Fact]
    public void Sections_subsections_keys_and_values_are_read_as_git_reads_them()
    {
        var entries = GitConfigSyntax.Parse("""
            # a comment
            [Core]
            	Editor = vim   ; trailing comment
            	autocrlf
            [url "https://Example.com/\"q\""]
            	insteadOf = ex:
            [Branch.Main]
            	remote = origin
            [alias]
            	lg = "log --graph # not a comment"
            	co = checkout  #comment
            	s = "a\tb\\c" d  e
            """.Replace("\n", "\r\n"));
        entries.Select(e => (e.Section, e.Subsection, e.Key, e.Value)).ShouldBe(
        [
            ("core", null, "editor", "vim"),
            ("core", null, "autocrlf", null),
            ("url", "https://Example.com/\"q\"", "insteadof", "ex:"),
            ("branch", "main", "remote", "origin"),
            ("alias", null, "lg", "log --graph # not a comment"),
            ("alias", null, "co", "checkout"),
            ("alias", null, "s", "a\tb\\c d  e"),
        ]);
        entries[0].Line.ShouldBe(3);
    }

    [Fact]
    public void A_backslash_at_the_end_of_a_line_continues_the_value()
    {
        var entries = GitConfigSyntax.Parse("[alias]\n\tlong = !echo one \\\n  two\n\tnext = 1\n");
        entries.Select(e => (e.Key, e.Value)).ShouldBe([("long", "!echo one   two"), ("next", "1")]);
        entries[1].Line.ShouldBe(4);
    }

    [Fact]
    public void A_key_may_follow_its_header_on_the_same_line()
    {
        GitConfigSyntax.Parse("[user] name = A\n").Single().ShouldBe(new GitConfigEntry("user", null, "name", "A", 1));
    }

    [Theory]
    [InlineData("key = 1\n", 1)]
    [InlineData("[core]\n\tkey = \"open\n", 2)]
    [InlineData("[core]\n\tkey = a\\qb\n", 2)]
    [InlineData("[core\n", 1)]
    [InlineData("[url \"x]\n", 1)]
    [InlineData("[core]\n\t1key = a\n", 2)]
    [InlineData("[core]\n\tkey value\n", 2)]
    public void What_git_refuses_is_refused_at_its_line(string text, int line)
    {
        Should.Throw<GitConfigSyntaxException>(() => GitConfigSyntax.Parse(text)).Line.ShouldBe(line);
    }

    [Fact]
    public void What_is_written_reads_back_the_same()
    {
        var entries = GitConfigSyntax.Parse("""
            [alias]
            	x = "!f() { echo \"$1\"; }; f"
            	t = "tab\there" ; c
            	bare
            [url "ssh://git@host/\\path"]
            	insteadOf = h:
            """);
        var written = GitConfigSyntax.Write(entries);
        written.ShouldNotContain("; c");
        GitConfigSyntax.Parse(written).Select(e => e with { Line = 0 }).ShouldBe(entries.Select(e => e with { Line = 0 }));
    }
}
