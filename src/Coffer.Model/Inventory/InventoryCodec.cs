using System.Text.Json;
using System.Text.Json.Serialization;

namespace Coffer.Model.Inventory;

/// <summary>How a configuration is stored: JSON in an envelope with a format number, so later formats read beside this one.</summary>
internal static class InventoryCodec
{
    private const int Format = 1;

    private static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Converters = { new JsonStringEnumConverter() },
    };

    public static byte[] Encode(InventoryConfiguration configuration) =>
        JsonSerializer.SerializeToUtf8Bytes(new Envelope(Format, configuration), Options);

    public static InventoryConfiguration Decode(byte[] body)
    {
        var envelope = JsonSerializer.Deserialize<Envelope>(body, Options)
            ?? throw new InvalidDataException("An empty inventory configuration record.");
        return envelope.Format == Format
            ? envelope.Configuration
            : throw new InvalidDataException($"Unknown inventory configuration format {envelope.Format}.");
    }

    private sealed record Envelope(int Format, InventoryConfiguration Configuration);
}
