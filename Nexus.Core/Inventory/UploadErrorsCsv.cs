using System.Globalization;
using Nexus.Core.Csv;

namespace Nexus.Core.Inventory;

/// <summary>An upload's rejected and superseded rows as CSV (RFC 4180), safe to open in a spreadsheet.</summary>
public static class UploadErrorsCsv
{
    public const string Header = "fila,tipo,motivo,numero_de_parte,precio,existencias,ubicacion,minimo_de_compra,marca";

    private const int RawValueCount = 6;

    public static string Line(UploadErrorRow row)
    {
        var cells = new string[3 + RawValueCount];
        cells[0] = row.RowNumber.ToString(CultureInfo.InvariantCulture);
        cells[1] = SafeCsv.Cell(row.Kind == "duplicate" ? "duplicado" : "error");
        cells[2] = SafeCsv.Cell(row.Reason);
        for (var i = 0; i < RawValueCount; i++)
        {
            cells[3 + i] = SafeCsv.Cell(i < row.RawValues.Length ? row.RawValues[i] : null);
        }
        return string.Join(',', cells);
    }
}
