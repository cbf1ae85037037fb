using System.Text;
using Lethe.Machine.Warm;

namespace Lethe.Tests.Warm;

public sealed class QmpMessageTests
{
    private static QmpMessage Parse(string line) => QmpMessage.Parse(Encoding.UTF8.GetBytes(line));

    [Fact]
    public void ReadsTheGreetingRepliesAndEvents()
    {
        Assert.Equal(QmpMessageKind.Greeting, Parse("""{"QMP": {"version": {"qemu": {"micro": 22, "minor": 2, "major": 7}}, "capabilities": ["oob"]}}""").Kind);
        var status = Parse("""{"return": {"status": "paused", "singlestep": false, "running": false}}""");
        Assert.Equal(QmpMessageKind.Return, status.Kind);
        Assert.Equal("paused", QmpMessage.ReturnString(status.ReturnJson, "status"));
        var error = Parse("""{"error": {"class": "GenericError", "desc": "File descriptor named 'x' not found"}}""");
        Assert.Equal((QmpMessageKind.Error, "GenericError"), (error.Kind, error.ErrorClass));
        var resume = Parse("""{"timestamp": {"seconds": 1, "microseconds": 2}, "event": "RESUME"}""");
        Assert.Equal((QmpMessageKind.Event, "RESUME"), (resume.Kind, resume.EventName));
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("[1,2]")]
    [InlineData("\"text\"")]
    [InlineData("{}")]
    [InlineData("""{"something": 1}""")]
    [InlineData("""{"event": "lower-case"}""")]
    [InlineData("""{"event": 5}""")]
    [InlineData("""{"error": "not an object"}""")]
    public void RefusesAnythingElse(string line) =>
        Assert.Throws<InvalidDataException>(() => Parse(line));

    [Fact]
    public void RefusesOverlongAndDeepLines()
    {
        Assert.Throws<InvalidDataException>(() => Parse("{\"return\": \"" + new string('a', QmpMessage.MaxLineBytes) + "\"}"));
        Assert.Throws<InvalidDataException>(() => Parse("{\"return\": " + new string('[', 100) + new string(']', 100) + "}"));
    }

    [Fact]
    public void WritesCommandsAsOneJsonLineWithEscapedArguments()
    {
        Assert.Equal("{\"execute\":\"stop\"}\n", Encoding.UTF8.GetString(QmpMessage.Command("stop")));
        var migrate = Encoding.UTF8.GetString(QmpMessage.Command("migrate", new Dictionary<string, string> { ["uri"] = "fd:\"x\"\n" }));
        Assert.Equal(1, migrate.Count(c => c == '\n'));
        Assert.EndsWith("\n", migrate, StringComparison.Ordinal);
        Assert.Contains("\"arguments\":{\"uri\":\"fd:\\u0022x\\u0022\\n\"}", migrate, StringComparison.Ordinal);
    }
}
