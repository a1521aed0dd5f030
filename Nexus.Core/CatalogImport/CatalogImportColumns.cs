using System.Globalization;
using Nexus.Core.Inventory;

namespace Nexus.Core.CatalogImport;

/// <summary>
/// The columns of an article feed, found by header name (Spanish or English, any case, accents and separators ignored:
/// "Número de artículo", "numero_articulo" and "ARTICLE NUMBER" are the same column), then each data row as a
/// <see cref="CatalogImportRow"/>. Within the OEM-numbers and vehicle-ids cells, values are separated by |.
/// </summary>
public sealed class CatalogImportColumns
{
    public const char ValueSeparator = '|';
    public const int MaxSupplierLength = 200;
    public const int MaxArticleNumberLength = 100;
    public const int MaxNameLength = 300;
    public const int MaxCategoryLength = 200;
    public const int MaxOemNumberLength = 100;
    public const int MaxOemNumbersPerRow = 200;
    public const int MaxVehicleIdsPerRow = 10_000;

    /// <summary>The fields in file-format order: canonical header, accepted headers (normalised), required, Spanish name.</summary>
    public static readonly IReadOnlyList<(string Field, string[] Headers, bool Required, string Label)> Fields =
    [
        ("supplier", ["PROVEEDOR", "SUPPLIER", "FABRICANTE", "MANUFACTURER", "MARCA", "BRAND"], true, "proveedor"),
        ("article_number", ["NUMERO ARTICULO", "NUMERO DE ARTICULO", "ARTICULO", "ARTICLE NUMBER", "ARTICLE NO", "ARTICLENO", "ARTICLE"], true, "número de artículo"),
        ("name", ["NOMBRE", "DESCRIPCION", "NAME", "DESCRIPTION"], false, "nombre"),
        ("category", ["CATEGORIA", "CATEGORY"], false, "categoría"),
        ("oem_numbers", ["NUMEROS OEM", "NUMERO OEM", "NUMEROS DE PARTE OEM", "OEM", "OEM NUMBERS", "OEM NUMBER", "OE NUMBERS"], true, "números OEM"),
        ("vehicle_ids", ["VEHICULOS", "IDS VEHICULO", "IDS DE VEHICULO", "ID VEHICULOS", "VEHICLE IDS", "VEHICLE ID", "VEHICLES"], false, "vehículos"),
    ];

    private readonly int _supplier;
    private readonly int _articleNumber;
    private readonly int? _name;
    private readonly int? _category;
    private readonly int _oemNumbers;
    private readonly int? _vehicleIds;

    private CatalogImportColumns(int supplier, int articleNumber, int? name, int? category, int oemNumbers, int? vehicleIds)
    {
        (_supplier, _articleNumber, _name, _category, _oemNumbers, _vehicleIds) = (supplier, articleNumber, name, category, oemNumbers, vehicleIds);
    }

    /// <summary>Fails the file, naming every required column the header row lacks and any column given twice.</summary>
    public static CatalogImportColumns Bind(IReadOnlyList<string> headers)
    {
        var normalized = headers.Select(HeaderText.Normalize).ToList();
        var found = new Dictionary<string, int>();
        var missing = new List<string>();
        foreach (var (field, names, required, label) in Fields)
        {
            var indexes = Enumerable.Range(0, normalized.Count).Where(i => names.Contains(normalized[i])).ToList();
            if (indexes.Count > 1)
            {
                throw new InventoryFileException(
                    $"La columna de {label} aparece {indexes.Count} veces en los encabezados ({string.Join(", ", indexes.Select(i => $"\"{headers[i]}\""))}): deja solo una.");
            }
            if (indexes.Count == 1)
            {
                found[field] = indexes[0];
            }
            else if (required)
            {
                missing.Add($"{label} (\"{names[0].ToLowerInvariant().Replace(' ', '_')}\")");
            }
        }
        if (missing.Count > 0)
        {
            var present = headers.Count == 0 ? "ninguna" : string.Join(", ", headers.Where(h => h.Length > 0).Take(30).Select(h => $"\"{h}\""));
            throw new InventoryFileException(
                $"Faltan columnas obligatorias en la fila de encabezados: {string.Join(", ", missing)}. Columnas encontradas: {present}.");
        }
        int? Optional(string field) => found.TryGetValue(field, out var index) ? index : null;
        return new CatalogImportColumns(found["supplier"], found["article_number"], Optional("name"), Optional("category"), found["oem_numbers"], Optional("vehicle_ids"));
    }

    /// <summary>The row, or null when every column of the format is empty (blank lines are skipped, not counted).</summary>
    public CatalogImportRow? Map(SheetReader reader)
    {
        var supplier = Text(reader, _supplier);
        var articleNumber = Text(reader, _articleNumber);
        var name = _name is { } n ? Text(reader, n) : "";
        var category = _category is { } c ? Text(reader, c) : "";
        var oemCell = Text(reader, _oemNumbers);
        var vehicleCell = _vehicleIds is { } v ? Text(reader, v) : "";
        if (supplier.Length == 0 && articleNumber.Length == 0 && name.Length == 0 && category.Length == 0 && oemCell.Length == 0 && vehicleCell.Length == 0)
        {
            return null;
        }

        var oemNumbers = Values(oemCell).DistinctBy(InventoryRowMapper.NormalizePartNumber).ToArray();
        var vehicleValues = Values(vehicleCell).Distinct().ToArray();
        var vehicleIds = new List<int>();
        var badVehicleIds = new List<string>();
        foreach (var value in vehicleValues)
        {
            if (int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var id) && id > 0)
            {
                vehicleIds.Add(id);
            }
            else
            {
                badVehicleIds.Add(Truncate(value, 300));
            }
        }

        var error = Check();
        string? Check()
        {
            if (supplier.Length == 0)
            {
                return "Falta el proveedor";
            }
            if (supplier.Length > MaxSupplierLength)
            {
                return $"Proveedor de más de {MaxSupplierLength} caracteres";
            }
            if (InventoryRowMapper.NormalizePartNumber(articleNumber).Length == 0)
            {
                return "Falta el número de artículo";
            }
            if (articleNumber.Length > MaxArticleNumberLength)
            {
                return $"Número de artículo de más de {MaxArticleNumberLength} caracteres";
            }
            if (name.Length > MaxNameLength)
            {
                return $"Nombre de más de {MaxNameLength} caracteres";
            }
            if (category.Length > MaxCategoryLength)
            {
                return $"Categoría de más de {MaxCategoryLength} caracteres";
            }
            if (oemNumbers.Length == 0)
            {
                return "Faltan los números OEM: el artículo no se puede ligar a ninguna pieza";
            }
            if (oemNumbers.Length > MaxOemNumbersPerRow)
            {
                return $"Más de {MaxOemNumbersPerRow} números OEM en una fila";
            }
            if (oemNumbers.FirstOrDefault(o => o.Length > MaxOemNumberLength || InventoryRowMapper.NormalizePartNumber(o).Length == 0) is { } bad)
            {
                return $"Número OEM no válido: {Truncate(bad, 120)}";
            }
            return vehicleValues.Length > MaxVehicleIdsPerRow ? $"Más de {MaxVehicleIdsPerRow} vehículos en una fila" : null;
        }

        if (error is not null)
        {
            return new CatalogImportRow(reader.RowNumber, Truncate(supplier, MaxSupplierLength), Truncate(articleNumber, MaxArticleNumberLength),
                null, null, [], [], [], error);
        }
        return new CatalogImportRow(reader.RowNumber, supplier, articleNumber, name.Length > 0 ? name : null, category.Length > 0 ? category : null,
            oemNumbers, [.. vehicleIds], [.. badVehicleIds], null);
    }

    private static IEnumerable<string> Values(string cell) =>
        cell.Length == 0 ? [] : cell.Split(ValueSeparator, StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);

    // PostgreSQL text cannot hold NUL characters.
    private static string Text(SheetReader reader, int index) => reader.Cell(index).Text.Replace("\0", "", StringComparison.Ordinal).Trim();

    private static string Truncate(string value, int max) => value.Length <= max ? value : value[..max];
}
