using System.Text.Json;
using System.Text.Json.Serialization;

namespace Nexus.Core.Inventory;

/// <summary>
/// How a bodega's file maps onto inventory fields. Each column is named by its header text (matched ignoring case
/// and accents) or by its letter ("A", "AB", "COLUMNA_C").
/// </summary>
public sealed record InventoryColumnMapping
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public string PartNumber { get; init; } = "";
    public string Price { get; init; } = "";
    public string Stock { get; init; } = "";
    public string? Location { get; init; }
    public string? MinOrderQuantity { get; init; }
    public string? Brand { get; init; }

    /// <summary>1-based row that holds the headers; data starts on the next row.</summary>
    public int HeaderRow { get; init; } = 1;

    /// <summary>Worksheet name or 1-based position (xlsx only); null = the first sheet.</summary>
    public string? Sheet { get; init; }

    /// <summary>Location given to rows without one (or to every row when no location column is mapped).</summary>
    public string? DefaultLocation { get; init; }

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    public static InventoryColumnMapping FromJson(string json) =>
        JsonSerializer.Deserialize<InventoryColumnMapping>(json, Json) ?? throw new JsonException("Empty mapping");

    /// <summary>Field errors keyed by the JSON name, empty when the mapping is usable.</summary>
    public Dictionary<string, string[]> Validate()
    {
        var errors = new Dictionary<string, string[]>();
        void Require(string name, string? value)
        {
            if (string.IsNullOrWhiteSpace(value))
            {
                errors[name] = ["Indica la columna."];
            }
        }
        void Limit(string name, string? value, int max)
        {
            if (value is { Length: var length } && length > max)
            {
                errors[name] = [$"Máximo {max} caracteres."];
            }
        }
        Require("part_number", PartNumber);
        Require("price", Price);
        Require("stock", Stock);
        foreach (var (name, value) in Columns())
        {
            Limit(name, value, 100);
        }
        Limit("sheet", Sheet, 100);
        Limit("default_location", DefaultLocation, 100);
        if (HeaderRow is < 1 or > 1000)
        {
            errors["header_row"] = ["Debe estar entre 1 y 1000."];
        }
        return errors;
    }

    /// <summary>The mapped columns by field name (JSON names), optional ones only when set.</summary>
    public IEnumerable<(string Field, string Column)> Columns()
    {
        yield return ("part_number", PartNumber);
        yield return ("price", Price);
        yield return ("stock", Stock);
        if (!string.IsNullOrWhiteSpace(Location)) yield return ("location", Location);
        if (!string.IsNullOrWhiteSpace(MinOrderQuantity)) yield return ("min_order_quantity", MinOrderQuantity);
        if (!string.IsNullOrWhiteSpace(Brand)) yield return ("brand", Brand);
    }
}
