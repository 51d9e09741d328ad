using System.Text.Json;
using Gerbang.Domain;

namespace Gerbang.Api.Http;

/// <summary>
/// Strict reading of a request object: each field is read at most once, its JSON type is checked, and
/// whatever was not read is refused as unknown, so a misspelt or read-only field never passes silently.
/// </summary>
public sealed class Fields(JsonElement root)
{
    private readonly HashSet<string> _known = new(StringComparer.Ordinal);

    public List<FieldError> Errors { get; } = [];

    /// <summary>Whether the caller acts in live mode, for checks that depend on it (live URLs must be https).</summary>
    public bool Live { get; init; }

    /// <summary>When the request is read, for checks against the clock (an expiry must lie ahead).</summary>
    public DateTimeOffset Now { get; init; }

    public bool Has(string name) => root.TryGetProperty(name, out var v) && v.ValueKind != JsonValueKind.Null;

    /// <summary>True when the field is present and explicitly null (a request to clear it).</summary>
    public bool IsExplicitNull(string name) => root.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Null;

    public string? String(string name, bool required, int minLength = 1, int maxLength = 500, string? param = null)
    {
        _known.Add(name);
        if (!root.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null)
        {
            if (required)
            {
                Errors.Add(new FieldError(param ?? name, "parameter_missing", $"{name} is required."));
            }

            return null;
        }

        if (v.ValueKind != JsonValueKind.String)
        {
            Errors.Add(new FieldError(param ?? name, "parameter_invalid_type", $"{name} must be a string."));
            return null;
        }

        var s = v.GetString()!;
        if (s.Length < minLength || s.Length > maxLength)
        {
            Errors.Add(new FieldError(param ?? name, "parameter_invalid_length", $"{name} must be {minLength} to {maxLength} characters."));
            return null;
        }

        return s;
    }

    /// <summary>A positive whole number that a JSON client can carry exactly (at most 2^53 - 1).</summary>
    public long? Amount(string name, bool required)
    {
        _known.Add(name);
        if (!root.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null)
        {
            if (required)
            {
                Errors.Add(new FieldError(name, "parameter_missing", $"{name} is required."));
            }

            return null;
        }

        if (v.ValueKind != JsonValueKind.Number)
        {
            Errors.Add(new FieldError(name, "parameter_invalid_type", $"{name} must be an integer, not {Kind(v)}."));
            return null;
        }

        var raw = v.GetRawText();
        if (raw.AsSpan().IndexOfAny(".eE") >= 0 || !v.TryGetInt64(out var amount))
        {
            Errors.Add(new FieldError(name, "parameter_invalid_integer", $"{name} must be a whole number in the currency's smallest unit."));
            return null;
        }

        if (amount <= 0)
        {
            Errors.Add(new FieldError(name, "amount_too_small", $"{name} must be greater than zero."));
            return null;
        }

        if (amount > Money.MaxAmount)
        {
            Errors.Add(new FieldError(name, "amount_too_large", $"{name} must be at most {Money.MaxAmount}."));
            return null;
        }

        return amount;
    }

    public long? Integer(string name, long min, long max)
    {
        _known.Add(name);
        if (!root.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (v.ValueKind != JsonValueKind.Number || v.GetRawText().AsSpan().IndexOfAny(".eE") >= 0 || !v.TryGetInt64(out var n))
        {
            Errors.Add(new FieldError(name, "parameter_invalid_integer", $"{name} must be an integer."));
            return null;
        }

        if (n < min || n > max)
        {
            Errors.Add(new FieldError(name, "parameter_out_of_range", $"{name} must be between {min} and {max}."));
            return null;
        }

        return n;
    }

    public bool? Boolean(string name)
    {
        _known.Add(name);
        if (!root.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (v.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
        {
            Errors.Add(new FieldError(name, "parameter_invalid_type", $"{name} must be true or false."));
            return null;
        }

        return v.GetBoolean();
    }

    public JsonElement? Element(string name, JsonValueKind kind)
    {
        _known.Add(name);
        if (!root.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (v.ValueKind != kind)
        {
            Errors.Add(new FieldError(name, "parameter_invalid_type", $"{name} must be {(kind == JsonValueKind.Object ? "an object" : "an array")}."));
            return null;
        }

        return v;
    }

    /// <summary>Refuses every field that was not read. Call after reading all fields.</summary>
    public void RejectUnknown()
    {
        foreach (var p in root.EnumerateObject())
        {
            if (!_known.Contains(p.Name))
            {
                Errors.Add(new FieldError(p.Name, "parameter_unknown", $"{p.Name} is not a known field here."));
            }
        }
    }

    public void Add(string param, string code, string message) => Errors.Add(new FieldError(param, code, message));

    private static string Kind(JsonElement v) => v.ValueKind switch
    {
        JsonValueKind.String => "a string",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Array => "an array",
        JsonValueKind.Object => "an object",
        _ => "that",
    };

    /// <summary>An absolute URL the customer's browser is sent to: https, or http too in test mode; no credentials in it.</summary>
    public string? Url(string name, bool live, bool required = true)
    {
        var text = String(name, required: required, maxLength: 2000);
        if (text is null)
        {
            return null;
        }

        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && (live || uri.Scheme != Uri.UriSchemeHttp)) || uri.UserInfo.Length > 0)
        {
            Add(name, "url_invalid", live ? $"{name} must be an absolute https URL." : $"{name} must be an absolute http or https URL.");
            return null;
        }

        return uri.ToString();
    }
}
