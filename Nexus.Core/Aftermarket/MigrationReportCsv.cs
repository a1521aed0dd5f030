namespace Nexus.Core.Aftermarket;

/// <summary>The report of a run as CSV (RFC 4180), safe to open in a spreadsheet.</summary>
public static class MigrationReportCsv
{
    public const string Header = "part_id,aft_part_number,outcome,article_number,manufacturer,reason";

    public static async Task WriteAsync(TextWriter writer, IAsyncEnumerable<MigrationReportRow> rows, CancellationToken cancellationToken)
    {
        await writer.WriteAsync(Header + "\r\n");
        await foreach (var row in rows.WithCancellation(cancellationToken))
        {
            var line = string.Join(',',
                row.PartId.ToString(System.Globalization.CultureInfo.InvariantCulture),
                Cell(row.AftPartNumber), Cell(row.Outcome), Cell(row.ArticleNumber), Cell(row.Manufacturer), Cell(row.Reason));
            await writer.WriteAsync(line + "\r\n");
        }
    }

    /// <summary>
    /// Quotes when needed and neutralises formula injection (ASVS 1.2.10): a cell starting with = + - @ tab, CR or NUL
    /// gets a leading apostrophe, so 'AFT-...' numbers and error texts are shown as text, never evaluated.
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
