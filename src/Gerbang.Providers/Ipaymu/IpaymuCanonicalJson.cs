using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Gerbang.Providers.Ipaymu;

/// <summary>
/// The text iPaymu signs a callback over: the fields without <c>signature</c>, with
/// <c>additional_info: []</c> when absent, keys sorted byte-wise at the top level, written as PHP's
/// <c>json_encode</c> writes them (compact, "/" as "\/", non-ASCII as lowercase \uXXXX, an empty map as []).
/// </summary>
public static class IpaymuCanonicalJson
{
    /// <summary>The form fields iPaymu's documents coerce before signing in form mode.</summary>
    private static readonly string[] IntegerFormFields = ["trx_id", "status_code", "transaction_status_code", "paid_off"];

    public static string Of(JsonObject fields)
    {
        var keys = fields.Select(p => p.Key).Where(k => k != "signature").ToList();
        if (!fields.ContainsKey("additional_info"))
        {
            keys.Add("additional_info");
        }

        keys.Sort(StringComparer.Ordinal);
        var text = new StringBuilder(512).Append('{');
        for (var i = 0; i < keys.Count; i++)
        {
            text.Append(i == 0 ? "" : ",");
            WriteString(text, keys[i]);
            text.Append(':');
            if (fields.TryGetPropertyValue(keys[i], out var value))
            {
                Write(text, value);
            }
            else
            {
                text.Append("[]");
            }
        }

        return text.Append('}').ToString();
    }

    /// <summary>A form-mode callback as the documents type it: some fields integers, <c>is_escrow</c> a boolean.</summary>
    public static JsonObject FromForm(IEnumerable<KeyValuePair<string, string>> form)
    {
        var fields = new JsonObject();
        foreach (var (key, value) in form)
        {
            fields[key] = key switch
            {
                _ when IntegerFormFields.Contains(key) && long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n) => JsonValue.Create(n),
                "is_escrow" => JsonValue.Create(value is "1" or "true"),
                "additional_info" when value == "[]" => new JsonArray(),
                _ => JsonValue.Create(value),
            };
        }

        return fields;
    }

    private static void Write(StringBuilder text, JsonNode? node)
    {
        switch (node)
        {
            case null:
                text.Append("null");
                break;
            case JsonObject o when o.Count == 0:
                text.Append("[]");
                break;
            case JsonObject o:
                text.Append('{');
                var first = true;
                foreach (var (key, value) in o)
                {
                    text.Append(first ? "" : ",");
                    first = false;
                    WriteString(text, key);
                    text.Append(':');
                    Write(text, value);
                }

                text.Append('}');
                break;
            case JsonArray a:
                text.Append('[');
                for (var i = 0; i < a.Count; i++)
                {
                    text.Append(i == 0 ? "" : ",");
                    Write(text, a[i]);
                }

                text.Append(']');
                break;
            case JsonValue v when v.TryGetValue<JsonElement>(out var element):
                if (element.ValueKind == JsonValueKind.String)
                {
                    WriteString(text, element.GetString()!);
                }
                else
                {
                    text.Append(element.GetRawText());
                }

                break;
            case JsonValue v when v.TryGetValue<string>(out var s):
                WriteString(text, s);
                break;
            case JsonValue v when v.TryGetValue<bool>(out var b):
                text.Append(b ? "true" : "false");
                break;
            default:
                text.Append(node.ToJsonString());
                break;
        }
    }

    private static void WriteString(StringBuilder text, string value)
    {
        text.Append('"');
        foreach (var c in value)
        {
            switch (c)
            {
                case '"': text.Append("\\\""); break;
                case '\\': text.Append("\\\\"); break;
                case '/': text.Append("\\/"); break;
                case '\b': text.Append("\\b"); break;
                case '\f': text.Append("\\f"); break;
                case '\n': text.Append("\\n"); break;
                case '\r': text.Append("\\r"); break;
                case '\t': text.Append("\\t"); break;
                case < ' ' or > '~':
                    text.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    break;
                default: text.Append(c); break;
            }
        }

        text.Append('"');
    }
}
