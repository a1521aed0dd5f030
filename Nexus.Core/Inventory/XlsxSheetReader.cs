using System.Globalization;
using MiniExcelLibs;
using MiniExcelLibs.OpenXml;

namespace Nexus.Core.Inventory;

/// <summary>Worksheet rows through MiniExcel's streaming Query (one row in memory at a time). Call <see cref="XlsxGuard"/> first.</summary>
public sealed class XlsxSheetReader : SheetReader
{
    private readonly IEnumerator<object> _rows;
    private IDictionary<string, object?> _current = new Dictionary<string, object?>();
    private readonly List<string> _letters = [];
    private int _rowNumber;

    public XlsxSheetReader(Stream seekable, string? sheet)
    {
        var configuration = new OpenXmlConfiguration { FillMergedCells = false, IgnoreEmptyRows = false };
        var sheetName = ResolveSheet(seekable, sheet, configuration);
        seekable.Position = 0;
        _rows = MiniExcel.Query(seekable, useHeaderRow: false, sheetName: sheetName, excelType: ExcelType.XLSX, configuration: configuration).GetEnumerator();
    }

    public override bool Read()
    {
        try
        {
            if (!_rows.MoveNext())
            {
                return false;
            }
        }
        catch (Exception e) when (e is System.Xml.XmlException or InvalidDataException or InvalidOperationException)
        {
            throw new InventoryFileException($"El archivo .xlsx no se puede leer: {e.Message}");
        }
        _current = (IDictionary<string, object?>)_rows.Current;
        _rowNumber++;
        return true;
    }

    public override int RowNumber => _rowNumber;

    public override int FieldCount => _current.Count;

    public override SheetCell Cell(int index)
    {
        while (_letters.Count <= index)
        {
            _letters.Add(HeaderText.ColumnLetter(_letters.Count));
        }
        if (!_current.TryGetValue(_letters[index], out var value) || value is null)
        {
            return SheetCell.Empty;
        }
        return value switch
        {
            string text => new SheetCell(text, null),
            double number when Math.Abs(number) < 1e15 => new SheetCell(number.ToString("R", CultureInfo.InvariantCulture), (decimal)number),
            double number => new SheetCell(number.ToString("R", CultureInfo.InvariantCulture), null),
            int number => new SheetCell(number.ToString(CultureInfo.InvariantCulture), number),
            long number => new SheetCell(number.ToString(CultureInfo.InvariantCulture), number),
            decimal number => new SheetCell(number.ToString(CultureInfo.InvariantCulture), number),
            DateTime date => new SheetCell(date.ToString("s", CultureInfo.InvariantCulture), null),
            IFormattable formattable => new SheetCell(formattable.ToString(null, CultureInfo.InvariantCulture), null),
            _ => new SheetCell(value.ToString() ?? "", null),
        };
    }

    public override void Dispose() => _rows.Dispose();

    private static string? ResolveSheet(Stream stream, string? sheet, OpenXmlConfiguration configuration)
    {
        if (string.IsNullOrWhiteSpace(sheet))
        {
            return null;
        }
        var names = MiniExcel.GetSheetNames(stream, configuration);
        var byName = names.FirstOrDefault(n => HeaderText.Normalize(n) == HeaderText.Normalize(sheet));
        if (byName is not null)
        {
            return byName;
        }
        if (int.TryParse(sheet, out var position) && position >= 1 && position <= names.Count)
        {
            return names[position - 1];
        }
        throw new InventoryFileException($"La hoja \"{sheet}\" no existe en el archivo; hojas: {string.Join(", ", names)}.");
    }
}
