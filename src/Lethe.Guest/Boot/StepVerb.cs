using Lethe.Protocol.Boot;

namespace Lethe.Guest.Boot;

/// <summary>
/// lethe-init steps: the hidden verb through which lethe acts as root in a running machine (verify,
/// persist gc). Reads a <see cref="StepBatch"/> as JSON on stdin and writes a <see cref="StepReport"/>
/// with one outcome per step; a step that fails does not stop the others.
/// </summary>
internal static class StepVerb
{
    public static int Run()
    {
        StepBatch? batch;
        try
        {
            batch = StepJson.DeserializeBatch(Console.In.ReadToEnd());
        }
        catch (System.Text.Json.JsonException e)
        {
            Console.Error.WriteLine($"lethe-init steps: not a step batch: {e.Message}");
            return 2;
        }
        if (batch is null)
        {
            Console.Error.WriteLine("lethe-init steps: empty step batch");
            return 2;
        }
        Console.Out.Write(StepJson.Serialize(new StepReport(batch.Steps.Select(StepRunner.Try).ToList())));
        return 0;
    }
}
