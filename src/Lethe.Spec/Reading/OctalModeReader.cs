using System.Text.RegularExpressions;
using YamlDotNet.RepresentationModel;

namespace Lethe.Spec.Reading;

/// <summary>Reads a file mode. The YAML text is used as written, so a bare 0644 or 644 means octal, never decimal.</summary>
internal static partial class OctalModeReader
{
    public const string Form = "an octal mode like \"0644\" or \"755\"";

    public static bool TryRead(NodeReader reader, YamlNode node, string path, out int mode)
    {
        mode = 0;
        if (!reader.TryScalar(node, path, Form, out var written))
            return false;
        var digits = written.StartsWith("0o", StringComparison.Ordinal) ? written[2..] : written;
        if (!OctalDigits().IsMatch(digits))
        {
            reader.ReportExpected(node, path, Form);
            return false;
        }
        mode = Convert.ToInt32(digits, 8);
        return true;
    }

    [GeneratedRegex(@"\A[0-7]{3,4}\z")]
    private static partial Regex OctalDigits();
}
