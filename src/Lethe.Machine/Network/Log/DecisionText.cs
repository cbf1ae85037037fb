using System.Globalization;
using Lethe.Protocol;

namespace Lethe.Machine.Network.Log;

/// <summary>A decision as one row of lethe net log's table. Names and reasons may come from the guest (the
/// names it queried, the SNI it sent), so every field passes through <see cref="UntrustedText"/>.</summary>
public static class DecisionText
{
    public static string Header => $"{"TIME",-12} {"PROTO",-6} {"VERDICT",-9} {"NAME",-32} {"ADDRESS",-21} {"BYTES",-15} REASON";

    public static string Row(DecisionRecord record)
    {
        var time = record.Time.ToUniversalTime().ToString("HH:mm:ss.fff", CultureInfo.InvariantCulture);
        var names = record.Names.Count == 0 ? "-" : string.Join(",", record.Names);
        var address = record.Address is null ? "-" : record.Port is { } port ? $"{record.Address}:{port}" : record.Address;
        var bytes = record.BytesFromGuest is null && record.BytesToGuest is null ? "-" : $"{record.BytesFromGuest ?? 0}↑ {record.BytesToGuest ?? 0}↓";
        return $"{time,-12} {Clean(record.Protocol),-6} {Clean(record.Verdict),-9} {Clean(names),-32} {Clean(address),-21} {bytes,-15} {Clean(record.Reason)}";
    }

    private static string Clean(string text) => UntrustedText.ForLine(text);
}
