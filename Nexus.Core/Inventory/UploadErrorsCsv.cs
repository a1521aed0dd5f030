using System.Globalization;

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
        cells[1] = Cell(row.Kind == "duplicate" ? "duplicado" : "error");
        cells[2] = Cell(row.Reason);
        for (var i = 0; i < RawValueCount; i++)
        {
            cells[3 + i] = Cell(i < row.RawValues.Length ? row.RawValues[i] : null);
        }
        return string.Join(',', cells);
    }

    /// <summary>
    /// Quotes when needed and neutralises formula injection (ASVS 1.2.10): a cell starting with = + - @ tab, CR or NUL
    /// gets a leading apostrophe, so a bodega's "=HYPERLINK(...)" cell comes back as text, never as a formula.
    /// </summary>
    public static string Cell(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return "";
        }
        var text = value.Replace("\0", "", StringComparison.Ordinal);
        if (value[0] is '=' or '+' or '-' or '@' or '\t' or '\r' or '\0')
        {
            text = "'" + text;
        }
        if (text.IndexOfAny([',', '"', '\r', '\n']) >= 0 || text != text.Trim())
        {
            text = "\"" + text.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
        }
        return text;
    }
}
