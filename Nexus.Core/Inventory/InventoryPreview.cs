using System.Text;
using Microsoft.Extensions.Options;

namespace Nexus.Core.Inventory;

public sealed record PreviewColumn(string Letter, string Header);

/// <summary>The first rows of a sample file as the mapping screen shows them, with a suggested mapping.</summary>
public sealed record InventoryPreviewResult(
    IReadOnlyList<PreviewColumn> Columns,
    IReadOnlyList<IReadOnlyList<string>> Rows,
    InventoryColumnMapping SuggestedMapping,
    string? Delimiter,
    string? Encoding,
    IReadOnlyList<string> SheetNames,
    int HeaderRow,
    bool Truncated);

/// <summary>Reads the header row and the first data rows of a sample file already held in memory (size-capped by the caller).</summary>
public sealed class InventoryPreview(IOptions<InventoryOptions> options)
{
    private const int MaxColumns = 200;
    private const int MaxCellLength = 500;

    private readonly InventoryOptions _options = options.Value;

    /// <param name="truncated">The sample was cut at the size cap (CSV only: a cut workbook cannot be read).</param>
    /// <exception cref="InventoryFileException">The file cannot be read as CSV or xlsx.</exception>
    public InventoryPreviewResult Read(Stream seekable, string fileName, string? sheet, int headerRow, bool truncated)
    {
        var head = new byte[InventoryFileSniffer.HeadLength];
        var headLength = seekable.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        seekable.Position = 0;
        var kind = InventoryFileSniffer.Detect(fileName, head.AsSpan(0, headLength));
        if (kind == InventoryFileKind.Xlsx)
        {
            if (truncated)
            {
                throw new InventoryFileException(
                    $"El archivo .xlsx de muestra excede {_options.MaxPreviewBytes / 1048576.0:N0} MB: guarda unas filas en un archivo aparte.");
            }
            XlsxGuard.Check(seekable, _options);
            seekable.Position = 0;
            var sheetNames = XlsxSheetReader.SheetNames(seekable);
            seekable.Position = 0;
            using var reader = new XlsxSheetReader(seekable, sheet);
            return Build(reader, headerRow, null, null, sheetNames, truncated);
        }
        var encoding = EncodingName(head.AsSpan(0, headLength));
        try
        {
            using var csv = new CsvSheetReader(seekable, head.AsSpan(0, headLength), _options.MaxRecordBytes, legacyEncoding: null);
            return Build(csv, headerRow, csv, encoding, [], truncated);
        }
        catch (NotUtf8Exception)
        {
            seekable.Position = 0;
            using var csv = new CsvSheetReader(seekable, head.AsSpan(0, headLength), _options.MaxRecordBytes, CsvSheetReader.Windows1252);
            return Build(csv, headerRow, csv, "windows-1252", [], truncated);
        }
    }

    private InventoryPreviewResult Build(SheetReader reader, int headerRow, CsvSheetReader? csv, string? encoding, IReadOnlyList<string> sheetNames, bool truncated)
    {
        string[]? headers = null;
        var rows = new List<IReadOnlyList<string>>();
        while (rows.Count < _options.PreviewRows && reader.Read())
        {
            if (reader.RowNumber < headerRow)
            {
                continue;
            }
            var cells = new string[Math.Min(reader.FieldCount, MaxColumns)];
            for (var i = 0; i < cells.Length; i++)
            {
                var text = reader.Cell(i).Text.Trim();
                cells[i] = text.Length > MaxCellLength ? text[..MaxCellLength] : text;
            }
            if (headers is null)
            {
                headers = cells;
            }
            else
            {
                rows.Add(cells);
            }
        }
        if (headers is null)
        {
            throw new InventoryFileException(headerRow == 1 ? "El archivo está vacío." : $"El archivo no llega a la fila {headerRow} de encabezados.");
        }
        var width = Math.Max(headers.Length, rows.Count == 0 ? 0 : rows.Max(r => r.Count));
        var columns = Enumerable.Range(0, width)
            .Select(i => new PreviewColumn(HeaderText.ColumnLetter(i), i < headers.Length ? headers[i] : ""))
            .ToList();
        var padded = rows.Select(r => (IReadOnlyList<string>)[.. r, .. Enumerable.Repeat("", width - r.Count)]).ToList();
        return new InventoryPreviewResult(columns, padded, HeaderSuggestions.Suggest(headers, headerRow),
            csv is null ? null : csv.Separator.ToString(), encoding, sheetNames, headerRow, truncated);
    }

    private static string EncodingName(ReadOnlySpan<byte> head) =>
        head.StartsWith<byte>([0xEF, 0xBB, 0xBF]) ? "utf-8-bom"
        : head.StartsWith<byte>([0xFF, 0xFE]) ? "utf-16le"
        : head.StartsWith<byte>([0xFE, 0xFF]) ? "utf-16be"
        : Encoding.UTF8.WebName;
}
