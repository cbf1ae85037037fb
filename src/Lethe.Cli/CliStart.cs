using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace Lethe.Cli;

/// <summary>When lethe's own code began (this module's initializer runs just before Main): "CLI start" in lethe bench's phases.</summary>
internal static class CliStart
{
    public static long Timestamp { get; private set; }

#pragma warning disable CA2255 // An application's module initializer: the earliest point lethe's code can see.
    [ModuleInitializer]
    internal static void Mark() => Timestamp = Stopwatch.GetTimestamp();
#pragma warning restore CA2255
}
