using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Lethe.Tests.Export;

/// <summary>
/// Checks a value against a Swagger 2.0 definition the way a Kubernetes API server with strict field
/// validation reads it: $ref resolved within the document, types (a list of types allowed), required
/// fields, enums, int32 ranges, a field the schema does not name rejected unless the object takes
/// additionalProperties or x-kubernetes-preserve-unknown-fields, and quantities in Kubernetes' grammar.
/// </summary>
public sealed partial class OpenApiValidator(JsonObject definitions)
{
    private const string RefPrefix = "#/definitions/";
    private const string QuantityDefinition = "resource.Quantity";

    public static OpenApiValidator Load(string path) =>
        new(JsonNode.Parse(File.ReadAllText(path))!["definitions"]!.AsObject());

    /// <returns>Every violation as "path: what is wrong"; empty when the value is valid.</returns>
    public IReadOnlyList<string> Validate(JsonNode? value, string definition)
    {
        var errors = new List<string>();
        Check(value, new JsonObject { ["$ref"] = RefPrefix + definition }, "$", errors);
        return errors;
    }

    private void Check(JsonNode? value, JsonNode schema, string path, List<string> errors)
    {
        if (schema["$ref"]?.GetValue<string>() is { } reference)
        {
            var name = reference.StartsWith(RefPrefix, StringComparison.Ordinal) ? reference[RefPrefix.Length..] : null;
            if (name is null || definitions[name] is not { } target)
            {
                errors.Add($"{path}: unresolved $ref {reference}");
                return;
            }
            Check(value, target, path, errors);
            if (name.EndsWith(QuantityDefinition, StringComparison.Ordinal) && value is JsonValue quantity
                && quantity.GetValueKind() == JsonValueKind.String && !Quantity().IsMatch(quantity.GetValue<string>()))
                errors.Add($"{path}: '{quantity.GetValue<string>()}' is not a quantity");
            return;
        }
        if (schema["x-kubernetes-preserve-unknown-fields"]?.GetValue<bool>() == true)
            return;
        var types = schema["type"] switch
        {
            JsonArray list => list.Select(type => type!.GetValue<string>()).ToArray(),
            JsonValue one => [one.GetValue<string>()],
            _ => schema["properties"] is not null ? ["object"] : [],
        };
        if (types.Length > 0 && !types.Any(type => Is(value, type, schema["format"]?.GetValue<string>())))
        {
            errors.Add($"{path}: expected {string.Join(" or ", types)}, found {Describe(value)}");
            return;
        }
        if (schema["enum"] is JsonArray allowed && !allowed.Any(option => JsonNode.DeepEquals(option, value)))
            errors.Add($"{path}: {value?.ToJsonString()} is not one of {allowed.ToJsonString()}");
        switch (value)
        {
            case JsonObject map when types.Contains("object"):
                CheckObject(map, schema, path, errors);
                break;
            case JsonArray items when schema["items"] is { } itemSchema:
                for (var index = 0; index < items.Count; index++)
                    Check(items[index], itemSchema, $"{path}[{index}]", errors);
                break;
        }
    }

    private void CheckObject(JsonObject map, JsonNode schema, string path, List<string> errors)
    {
        var properties = schema["properties"]?.AsObject();
        var additional = schema["additionalProperties"];
        foreach (var required in schema["required"]?.AsArray() ?? [])
        {
            if (!map.ContainsKey(required!.GetValue<string>()))
                errors.Add($"{path}: missing required field '{required}'");
        }
        foreach (var (key, child) in map)
        {
            if (properties?[key] is { } property)
                Check(child, property, $"{path}.{key}", errors);
            else if (additional is JsonObject additionalSchema)
                Check(child, additionalSchema, $"{path}.{key}", errors);
            else if (additional is JsonValue open && open.GetValue<bool>())
                continue;
            else
                errors.Add($"{path}: unknown field '{key}'");
        }
    }

    private static bool Is(JsonNode? value, string type, string? format) => (type, value) switch
    {
        ("object", JsonObject) => true,
        ("array", JsonArray) => true,
        ("string", JsonValue text) => text.GetValueKind() == JsonValueKind.String
            || format == "int-or-string" && text.GetValueKind() == JsonValueKind.Number,
        ("boolean", JsonValue flag) => flag.GetValueKind() is JsonValueKind.True or JsonValueKind.False,
        ("integer", JsonValue number) => number.GetValueKind() == JsonValueKind.Number && number.TryGetValue<long>(out var whole)
            && (format != "int32" || whole is >= int.MinValue and <= int.MaxValue),
        ("number", JsonValue number) => number.GetValueKind() == JsonValueKind.Number,
        _ => false,
    };

    private static string Describe(JsonNode? value) => value switch
    {
        null => "null",
        JsonObject => "an object",
        JsonArray => "a list",
        JsonValue scalar => $"{scalar.GetValueKind().ToString().ToLowerInvariant()} {scalar.ToJsonString()}",
        _ => value.GetType().Name,
    };

    // k8s.io/apimachinery/pkg/api/resource: a signed decimal with a binary (Ki…Ei), decimal (n…E) or exponent suffix.
    [GeneratedRegex(@"^[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[KMGTPE]i|[numkMGTPE]|[eE][+-]?[0-9]+)?\z")]
    private static partial Regex Quantity();
}
