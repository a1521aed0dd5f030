using System.Globalization;
using Nexus.Core.Csv;

namespace Nexus.Core.CatalogImport;

/// <summary>An import's problems as CSV (RFC 4180), safe to open in a spreadsheet: every cell goes through <see cref="SafeCsv.Cell"/>.</summary>
public static class CatalogImportProblemsCsv
{
    public const string Header = "fila,tipo,valor,motivo,proveedor,numero_de_articulo";

    /// <summary>The problem kinds as the report names them.</summary>
    public static readonly IReadOnlyDictionary<string, string> KindLabels = new Dictionary<string, string>
    {
        ["bad_row"] = "fila_invalida",
        ["unknown_supplier"] = "proveedor_desconocido",
        ["unknown_category"] = "categoria_desconocida",
        ["unknown_oem"] = "oem_desconocido",
        ["category_mismatch"] = "oem_de_otra_categoria",
        ["unknown_vehicle"] = "vehiculo_desconocido",
    };

    public static string Line(CatalogImportProblemRow row) => string.Join(',',
        row.RowNumber.ToString(CultureInfo.InvariantCulture),
        SafeCsv.Cell(KindLabels.GetValueOrDefault(row.Kind, row.Kind)),
        SafeCsv.Cell(row.Value),
        SafeCsv.Cell(row.Reason),
        SafeCsv.Cell(row.Supplier),
        SafeCsv.Cell(row.ArticleNumber));
}
