using System.Text;
using Lethe.Machine.Workstation;
using Lethe.Protocol;

namespace Lethe.Tests.Workstation;

public sealed class SessionRouterTests
{
    [Fact(Timeout = 10_000)]
    public async Task Guest_messages_reach_their_own_client_renumbered_and_an_exit_ends_the_session()
    {
        var router = new SessionRouter();
        var (a, aOut) = Client();
        var (b, bOut) = Client();
        var sa = router.Open(a);
        var sb = router.Open(b);

        await router.RouteAsync(ControlMessage.Output(MessageTypes.Stdout, "x"u8).ForSession(sb));
        await router.RouteAsync(ControlMessage.Exited(3).ForSession(sb));

        Encoding.UTF8.GetString(aOut.ToArray()).ShouldBeEmpty();
        var lines = Encoding.UTF8.GetString(bOut.ToArray()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        lines.Select(l => ControlChannel.TryParse(l)!).Select(m => (m.Type, m.Session)).ShouldBe([(MessageTypes.Stdout, 0), (MessageTypes.Exit, 0)]);
        router.IsOpen(sb).ShouldBeFalse();
        router.IsOpen(sa).ShouldBeTrue();
    }

    [Fact(Timeout = 10_000)]
    public async Task A_client_that_has_gone_is_dropped_and_never_stops_the_routing()
    {
        var router = new SessionRouter();
        var (gone, _) = Client();
        var session = router.Open(gone);
        gone.Dispose();

        await Should.NotThrowAsync(() => router.RouteAsync(ControlMessage.Output(MessageTypes.Stdout, "late"u8).ForSession(session)));
        router.IsOpen(session).ShouldBeFalse();
        await Should.NotThrowAsync(() => router.EndAllAsync(130));
    }

    private static (ControlChannel Channel, MemoryStream Output) Client()
    {
        var output = new MemoryStream();
        return (new ControlChannel(Stream.Null, output), output);
    }
}
