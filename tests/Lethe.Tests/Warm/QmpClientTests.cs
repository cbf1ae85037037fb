using Lethe.Core;
using Lethe.Machine.Warm;
using Microsoft.Win32.SafeHandles;

namespace Lethe.Tests.Warm;

/// <summary>
/// The QMP client against a real QEMU with no machine (<c>-M none</c>: no guest boots, it takes a fraction
/// of a second): the handshake, replies, refusals, getfd over SCM_RIGHTS, and a migration to a file and back,
/// which is the path warm snapshots take.
/// </summary>
public sealed class QmpClientTests : IDisposable
{
    private const string Qemu = "/usr/bin/qemu-system-x86_64";
    private readonly string _folder = Directory.CreateTempSubdirectory("lethe-qmp-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static async Task<(QmpClient Client, HostProcess Qemu)> StartAsync(SafeFileHandle? incoming, CancellationToken stop)
    {
        var (client, qemuEnd) = QmpClient.Create();
        List<System.Runtime.InteropServices.SafeHandle> passed = [qemuEnd];
        var args = new List<string> { "-M", "none", "-nodefaults", "-display", "none",
            "-chardev", $"socket,id=qmp,fd={qemuEnd.DangerousGetHandle()}", "-mon", "chardev=qmp,mode=control" };
        if (incoming is not null)
        {
            passed.Add(incoming);
            args.AddRange(["-incoming", $"fd:{incoming.DangerousGetHandle()}"]);
        }
        HostProcess qemu;
        try
        {
            qemu = await new HostCommand(Qemu).WithArguments(args).StartAsync(passed);
        }
        finally
        {
            qemuEnd.Dispose();
        }
        await client.ConnectAsync(stop);
        return (client, qemu);
    }

    [Fact(Timeout = 60_000)]
    public async Task Commands_get_their_replies_and_refusals_are_QmpExceptions()
    {
        Assert.SkipUnless(File.Exists(Qemu), "needs QEMU");
        var stop = TestContext.Current.CancellationToken;
        var (client, qemu) = await StartAsync(null, stop);
        await using (qemu)
        await using (client)
        {
            QmpMessage.ReturnString(await client.ExecuteAsync("query-status", null, stop), "status").ShouldBe("running");
            var refused = await Should.ThrowAsync<QmpException>(() => client.ExecuteAsync("closefd", new Dictionary<string, string> { ["fdname"] = "none" }, stop));
            refused.ErrorClass.ShouldBe("GenericError");
            await using (var file = File.Create(Path.Combine(_folder, "given")))
                await client.GetFdAsync("given", file.SafeFileHandle, stop);
            await client.ExecuteAsync("closefd", new Dictionary<string, string> { ["fdname"] = "given" }, stop);
        }
    }

    [Fact(Timeout = 60_000)]
    public async Task A_stopped_machine_migrates_to_a_file_given_by_getfd_and_restores_paused_from_it()
    {
        Assert.SkipUnless(File.Exists(Qemu), "needs QEMU");
        var stop = TestContext.Current.CancellationToken;
        var stream = Path.Combine(_folder, "state");
        var (source, qemu) = await StartAsync(null, stop);
        await using (qemu)
        await using (source)
        {
            await source.ExecuteAsync("stop", null, stop);
            await using (var file = new FileStream(stream, FileMode.CreateNew, FileAccess.Write))
                await source.GetFdAsync("snapshot", file.SafeFileHandle, stop);
            await source.ExecuteAsync("migrate", new Dictionary<string, string> { ["uri"] = "fd:snapshot" }, stop);
            string? status;
            while ((status = QmpMessage.ReturnString(await source.ExecuteAsync("query-migrate", null, stop), "status")) is not "completed" and not "failed")
                await Task.Delay(20, stop);
            status.ShouldBe("completed");
        }
        new FileInfo(stream).Length.ShouldBeGreaterThan(0);

        using var incoming = File.OpenHandle(stream);
        var (target, restored) = await StartAsync(incoming, stop);
        await using (restored)
        await using (target)
        {
            string? status;
            while ((status = QmpMessage.ReturnString(await target.ExecuteAsync("query-migrate", null, stop), "status")) is not "completed" and not "failed")
                await Task.Delay(20, stop);
            status.ShouldBe("completed");
            QmpMessage.ReturnString(await target.ExecuteAsync("query-status", null, stop), "status").ShouldBe("paused");
        }
    }
}
