using Nexus.Core.Csv;

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
                SafeCsv.Cell(row.AftPartNumber), SafeCsv.Cell(row.Outcome), SafeCsv.Cell(row.ArticleNumber), SafeCsv.Cell(row.Manufacturer), SafeCsv.Cell(row.Reason));
            await writer.WriteAsync(line + "\r\n");
        }
    }
}
