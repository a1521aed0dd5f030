using System.Text.Json;
using System.Text.RegularExpressions;

namespace Nexus.Core.Inventory;

/// <summary>
/// A mapping as sent over HTTP (the JSONB shape of the spec), checked field by field: required columns, types,
/// unknown fields, column references such as "COLUMNA_C" that name no real column, one column used twice.
/// </summary>
public static partial class InventoryMappingInput
{
    /// <summary>Excel's last column, XFD.</summary>
    public const int MaxColumnIndex = 16_383;

    private static readonly string[] ColumnFields = ["part_number", "price", "stock", "location", "min_order_quantity", "brand"];
    private static readonly string[] TextFields = ["sheet", "default_location"];

    public static (InventoryColumnMapping? Mapping, Dictionary<string, string[]> Errors) Parse(JsonElement body)
    {
        var errors = new Dictionary<string, string[]>();
        if (body.ValueKind != JsonValueKind.Object)
        {
            errors["mapping"] = ["El mapeo debe ser un objeto JSON, p. ej. {\"part_number\": \"A\", \"price\": \"PRECIO\", \"stock\": \"EXISTENCIAS\"}."];
            return (null, errors);
        }
        var values = new Dictionary<string, string?>();
        var headerRow = 1;
        foreach (var property in body.EnumerateObject())
        {
            var name = property.Name;
            var value = property.Value;
            if (ColumnFields.Contains(name) || TextFields.Contains(name))
            {
                if (value.ValueKind is JsonValueKind.String or JsonValueKind.Null)
                {
                    values[name] = value.ValueKind == JsonValueKind.Null ? null : value.GetString()!.Trim();
                }
                else
                {
                    errors[name] = ["Debe ser texto: el encabezado de la columna o su letra (A, B, … o COLUMNA_C)."];
                }
            }
            else if (name == "header_row")
            {
                if (value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var row))
                {
                    headerRow = row;
                }
                else if (value.ValueKind != JsonValueKind.Null)
                {
                    errors[name] = ["Debe ser un número entero entre 1 y 1000."];
                }
            }
            else
            {
                errors[name] = [$"Campo desconocido. Campos válidos: {string.Join(", ", [.. ColumnFields, "header_row", .. TextFields])}."];
            }
        }
        string? Value(string name) => values.TryGetValue(name, out var v) && !string.IsNullOrEmpty(v) ? v : null;
        var mapping = new InventoryColumnMapping
        {
            PartNumber = Value("part_number") ?? "",
            Price = Value("price") ?? "",
            Stock = Value("stock") ?? "",
            Location = Value("location"),
            MinOrderQuantity = Value("min_order_quantity"),
            Brand = Value("brand"),
            HeaderRow = headerRow,
            Sheet = Value("sheet"),
            DefaultLocation = Value("default_location"),
        };
        foreach (var (field, messages) in Check(mapping))
        {
            errors.TryAdd(field, messages);
        }
        return errors.Count == 0 ? (mapping, errors) : (null, errors);
    }

    /// <summary>The mapping's own rules plus the checks a saved mapping needs: real column letters, no column used twice.</summary>
    public static Dictionary<string, string[]> Check(InventoryColumnMapping mapping)
    {
        var errors = mapping.Validate();
        var seen = new Dictionary<string, string>();
        foreach (var (field, column) in mapping.Columns())
        {
            if (errors.ContainsKey(field))
            {
                continue;
            }
            if (column.Any(char.IsControl))
            {
                errors[field] = ["Contiene caracteres de control."];
                continue;
            }
            if (ColumnReferenceProblem(column) is { } problem)
            {
                errors[field] = [problem];
                continue;
            }
            var key = HeaderText.ColumnIndex(column) is { } index ? $"#{index}" : HeaderText.Normalize(column);
            if (seen.TryGetValue(key, out var other))
            {
                errors[field] = [$"La columna \"{column}\" ya está asignada a {other}."];
                continue;
            }
            seen[key] = field;
        }
        return errors;
    }

    /// <summary>"COLUMNA_1", "COL ÑA" or "COLUMNA_ZZZZ" look like column letters but name no column.</summary>
    private static string? ColumnReferenceProblem(string column)
    {
        var match = PrefixedReference().Match(column);
        if (!match.Success)
        {
            return null;
        }
        var index = HeaderText.ColumnIndex(column);
        return index is null || index > MaxColumnIndex
            ? $"\"{column}\" no es una columna válida: usa letras de la A a la XFD (p. ej. COLUMNA_C) o el texto del encabezado."
            : null;
    }

    [GeneratedRegex(@"^(COLUMNA|COLUMN|COL)[\s_\-]+\S", RegexOptions.IgnoreCase)]
    private static partial Regex PrefixedReference();
}
