using System.Text.Json;

namespace Gerbang.Api.Http;

/// <summary>Reads a JSON request body once, enforcing the contract's 64 KiB limit and content type.</summary>
public static class RequestBody
{
    public const int MaxBytes = 64 * 1024;
    internal const string ItemKey = "gerbang.body";

    public static byte[]? Buffered(HttpContext context) => context.Items[ItemKey] as byte[];

    /// <summary>Reads and keeps the body; answers 413 or 415 when it cannot be taken.</summary>
    public static async Task<ApiResponse?> BufferAsync(HttpContext context)
    {
        var request = context.Request;
        if (request.ContentLength > MaxBytes)
        {
            return Problems.Create(413, "body_too_large", $"Request bodies are limited to {MaxBytes} bytes.");
        }

        var buffer = new byte[Math.Min(request.ContentLength ?? 4096, MaxBytes) + 1];
        var total = 0;
        while (true)
        {
            if (total == buffer.Length)
            {
                if (buffer.Length > MaxBytes)
                {
                    return Problems.Create(413, "body_too_large", $"Request bodies are limited to {MaxBytes} bytes.");
                }

                Array.Resize(ref buffer, Math.Min(buffer.Length * 2, MaxBytes + 1));
            }

            var read = await request.Body.ReadAsync(buffer.AsMemory(total), context.RequestAborted);
            if (read == 0)
            {
                break;
            }

            total += read;
        }

        if (total > MaxBytes)
        {
            return Problems.Create(413, "body_too_large", $"Request bodies are limited to {MaxBytes} bytes.");
        }

        var body = buffer.AsSpan(0, total).ToArray();
        if (body.Length > 0 && !IsJson(request.ContentType))
        {
            return Problems.Create(415, "unsupported_media_type", "Send the body as application/json.");
        }

        context.Items[ItemKey] = body;
        return null;
    }

    /// <summary>The first field (as <c>a[b][0]</c>) whose name or string value cannot be stored as text, or null.</summary>
    private static string? UnstorableString(JsonElement element, string path)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.String:
                return Storable(element) ? null : path;
            case JsonValueKind.Array:
                var index = 0;
                foreach (var item in element.EnumerateArray())
                {
                    if (UnstorableString(item, $"{path}[{index++}]") is { } found)
                    {
                        return found;
                    }
                }

                return null;
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    string name;
                    try
                    {
                        name = property.Name;
                    }
                    catch (InvalidOperationException)
                    {
                        return path;
                    }

                    if (name.Contains('\0', StringComparison.Ordinal))
                    {
                        return path;
                    }

                    if (UnstorableString(property.Value, path.Length == 0 ? name : $"{path}[{name}]") is { } found)
                    {
                        return found;
                    }
                }

                return null;
            default:
                return null;
        }
    }

    private static bool Storable(JsonElement text)
    {
        try
        {
            return !text.GetString()!.Contains('\0', StringComparison.Ordinal);
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    public static bool IsJson(string? contentType)
    {
        if (string.IsNullOrEmpty(contentType))
        {
            return false;
        }

        var mediaType = contentType.Split(';', 2)[0].Trim();
        return mediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>For routes outside the /v1 gate: buffers the body, then parses it as one JSON object.</summary>
    public static async Task<(System.Text.Json.JsonElement Root, ApiResponse? Problem)> ReadObjectAsync(HttpContext context, bool emptyAllowed = false)
    {
        if (Buffered(context) is null && await BufferAsync(context) is { } problem)
        {
            return (default, problem);
        }

        return TryParseObject(context, emptyAllowed, out var root, out var parseProblem) ? (root, null) : (default, parseProblem);
    }

    /// <summary>Parses the buffered body as one JSON object; an empty body is an empty object when allowed.</summary>
    public static bool TryParseObject(HttpContext context, bool emptyAllowed, out JsonElement root, out ApiResponse? problem)
    {
        var body = Buffered(context) ?? [];
        root = default;
        problem = null;
        if (body.Length == 0)
        {
            if (emptyAllowed)
            {
                root = JsonDocument.Parse("{}").RootElement;
                return true;
            }

            problem = Problems.Create(400, "invalid_json", "The request body must be a JSON object.");
            return false;
        }

        try
        {
            using var doc = JsonDocument.Parse(body, new JsonDocumentOptions { MaxDepth = 16 });
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
            {
                problem = Problems.Create(400, "invalid_json", "The request body must be a JSON object.");
                return false;
            }

            if (!System.Text.Unicode.Utf8.IsValid(body))
            {
                problem = Problems.Create(400, "invalid_json", "The request body is not valid UTF-8.");
                return false;
            }

            // Escapes can spell text no column can hold: U+0000, or half of a surrogate pair.
            if (body.AsSpan().IndexOf("\\u"u8) >= 0 && UnstorableString(doc.RootElement, "") is { } param)
            {
                problem = Problems.Create(400, "parameter_invalid_string", $"{(param.Length == 0 ? "A field name" : param)} contains a NUL character or an unpaired surrogate.", param.Length == 0 ? null : param);
                return false;
            }

            root = doc.RootElement.Clone();
            return true;
        }
        catch (JsonException)
        {
            problem = Problems.Create(400, "invalid_json", "The request body is not valid JSON.");
            return false;
        }
    }
}
