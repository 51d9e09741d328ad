using System.Text.Json;
using System.Text.Json.Serialization;

namespace Gerbang.Api.Webhooks;

/// <summary>
/// An event as it was written and delivered: its JSON is kept as is and answered byte for byte (an
/// <see cref="EventWriter.EventView"/> on the wire). A reader in this process sees its id, type and time.
/// </summary>
[JsonConverter(typeof(StoredEventConverter))]
public sealed class StoredEvent
{
    public StoredEvent(byte[] json)
    {
        Json = json;
        var reader = new Utf8JsonReader(json);
        var root = JsonElement.ParseValue(ref reader);
        Id = root.GetProperty("id").GetString()!;
        Type = root.GetProperty("type").GetString()!;
        CreatedAt = root.GetProperty("created_at").GetString()!;
    }

    public byte[] Json { get; }

    public string Id { get; }

    public string Type { get; }

    public string CreatedAt { get; }
}

internal sealed class StoredEventConverter : JsonConverter<StoredEvent>
{
    public override StoredEvent Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        using var doc = JsonDocument.ParseValue(ref reader);
        return new StoredEvent(JsonSerializer.SerializeToUtf8Bytes(doc.RootElement));
    }

    public override void Write(Utf8JsonWriter writer, StoredEvent value, JsonSerializerOptions options) => writer.WriteRawValue(value.Json, skipInputValidation: true);
}
