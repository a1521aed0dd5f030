using System.Text;

namespace Nexus.Core.Inventory;

/// <summary>Binds a mapping to a file's header row, then turns each data row into an <see cref="InventoryRow"/>.</summary>
public sealed class InventoryRowMapper
{
    public const int MaxPartNumberLength = 100;
    public const int MaxLocationLength = 100;

    private readonly int _partNumber;
    private readonly int _price;
    private readonly int _stock;
    private readonly int? _location;
    private readonly int? _minOrder;
    private readonly int? _brand;
    private readonly string _defaultLocation;

    private InventoryRowMapper(int partNumber, int price, int stock, int? location, int? minOrder, int? brand, string defaultLocation)
    {
        (_partNumber, _price, _stock, _location, _minOrder, _brand, _defaultLocation) = (partNumber, price, stock, location, minOrder, brand, defaultLocation);
    }

    /// <summary>Fails the file, naming every mapped column that the header row lacks.</summary>
    public static InventoryRowMapper Bind(InventoryColumnMapping mapping, IReadOnlyList<string> headers)
    {
        var normalized = headers.Select(HeaderText.Normalize).ToList();
        var missing = new List<string>();
        int? Find(string field, string? reference)
        {
            if (string.IsNullOrWhiteSpace(reference))
            {
                return null;
            }
            var byHeader = normalized.IndexOf(HeaderText.Normalize(reference));
            if (byHeader >= 0)
            {
                return byHeader;
            }
            if (HeaderText.ColumnIndex(reference) is { } byLetter && byLetter < headers.Count)
            {
                return byLetter;
            }
            missing.Add($"\"{reference}\" ({FieldNames[field]})");
            return -1;
        }
        var partNumber = Find("part_number", mapping.PartNumber);
        var price = Find("price", mapping.Price);
        var stock = Find("stock", mapping.Stock);
        var location = Find("location", mapping.Location);
        var minOrder = Find("min_order_quantity", mapping.MinOrderQuantity);
        var brand = Find("brand", mapping.Brand);
        if (missing.Count > 0 || partNumber is null || price is null || stock is null)
        {
            var found = headers.Count == 0 ? "ninguna" : string.Join(", ", headers.Where(h => h.Length > 0).Take(30).Select(h => $"\"{h}\""));
            throw new InventoryFileException($"Faltan columnas del mapeo en la fila {mapping.HeaderRow}: {string.Join(", ", missing)}. Columnas encontradas: {found}.");
        }
        return new InventoryRowMapper(partNumber.Value, price.Value, stock.Value, location, minOrder, brand, (mapping.DefaultLocation ?? "").Trim());
    }

    public static readonly IReadOnlyDictionary<string, string> FieldNames = new Dictionary<string, string>
    {
        ["part_number"] = "número de parte",
        ["price"] = "precio",
        ["stock"] = "existencias",
        ["location"] = "ubicación",
        ["min_order_quantity"] = "mínimo de compra",
        ["brand"] = "marca",
    };

    /// <summary>The mapped row, or null when every mapped cell is empty (blank lines are skipped, not counted).</summary>
    public InventoryRow? Map(SheetReader reader)
    {
        var partCell = Clean(reader.Cell(_partNumber));
        var priceCell = Clean(reader.Cell(_price));
        var stockCell = Clean(reader.Cell(_stock));
        var locationCell = _location is { } l ? Clean(reader.Cell(l)) : SheetCell.Empty;
        var minOrderCell = _minOrder is { } m ? Clean(reader.Cell(m)) : SheetCell.Empty;
        var brandCell = _brand is { } b ? Clean(reader.Cell(b)) : SheetCell.Empty;
        if (IsBlank(partCell) && IsBlank(priceCell) && IsBlank(stockCell) && IsBlank(locationCell) && IsBlank(minOrderCell) && IsBlank(brandCell))
        {
            return null;
        }

        var partNumber = partCell.Text.Trim();
        var norm = NormalizePartNumber(partNumber);
        var location = locationCell.Text.Trim() is { Length: > 0 } given ? given : _defaultLocation;
        var brand = brandCell.Text.Trim() is { Length: > 0 } named ? named : null;
        var price = 0m;
        var stock = 0;
        var minOrder = 1;
        var error = Check();
        string? Check()
        {
            if (norm.Length == 0)
            {
                return "Falta el número de parte";
            }
            if (partNumber.Length > MaxPartNumberLength)
            {
                return $"Número de parte de más de {MaxPartNumberLength} caracteres";
            }
            if (!InventoryValueParser.TryParsePrice(priceCell, out price, out var priceError))
            {
                return priceError;
            }
            if (!InventoryValueParser.TryParseQuantity(stockCell, "existencia", out stock, out var stockError))
            {
                return stockError;
            }
            if (!IsBlank(minOrderCell) && !InventoryValueParser.TryParseQuantity(minOrderCell, "cantidad mínima", out minOrder, out var minOrderError))
            {
                return minOrderError;
            }
            if (minOrder < 1)
            {
                return $"Cantidad mínima no válida: {minOrderCell.Text}";
            }
            if (location.Length > MaxLocationLength)
            {
                return $"Ubicación de más de {MaxLocationLength} caracteres";
            }
            return brand is { Length: > 200 } ? "Marca de más de 200 caracteres" : null;
        }

        if (error is not null)
        {
            string[] raw = [partCell.Text, priceCell.Text, stockCell.Text, locationCell.Text, minOrderCell.Text, brandCell.Text];
            return new InventoryRow(reader.RowNumber, Truncate(partNumber, 200), norm.Length > 200 ? "" : norm, null, 0, 0, "", 1, error, raw.Select(v => Truncate(v, 500)).ToArray());
        }
        return new InventoryRow(reader.RowNumber, partNumber, norm, brand, price, stock, location, minOrder, null, null);
    }

    /// <summary>Same rule as the database's normalize_part_number: upper case without spaces, dashes, dots or slashes.</summary>
    public static string NormalizePartNumber(string partNumber)
    {
        // Most files already write numbers this way: the same string then serves as both, one allocation less per row.
        if (IsNormalized(partNumber))
        {
            return partNumber;
        }
        var builder = new StringBuilder(partNumber.Length);
        foreach (var c in partNumber)
        {
            if (!(char.IsWhiteSpace(c) || c is '-' or '.' or '/'))
            {
                builder.Append(char.ToUpperInvariant(c));
            }
        }
        return builder.ToString();
    }

    private static bool IsNormalized(string partNumber)
    {
        foreach (var c in partNumber)
        {
            if (char.IsWhiteSpace(c) || c is '-' or '.' or '/' || char.ToUpperInvariant(c) != c)
            {
                return false;
            }
        }
        return true;
    }

    // PostgreSQL text cannot hold NUL characters.
    private static SheetCell Clean(SheetCell cell) =>
        cell.Text.Contains('\0') ? cell with { Text = cell.Text.Replace("\0", "", StringComparison.Ordinal) } : cell;

    private static bool IsBlank(SheetCell cell) => cell.Number is null && string.IsNullOrWhiteSpace(cell.Text);

    private static string Truncate(string value, int max) => value.Length <= max ? value : value[..max];
}
