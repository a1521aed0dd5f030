using System.Globalization;
using System.Text;
using System.Xml;

namespace Nexus.Core.Inventory;

/// <summary>
/// Worksheet rows streamed from the sheet's XML (one row in memory at a time). Work is proportional to the cells the file
/// holds: rows missing from the XML come back empty without cost and a row is never padded to the sheet's width, so a
/// small file that declares 16,384 columns or a row one million cannot stall the import. Call <see cref="XlsxGuard"/> first.
/// </summary>
public sealed class XlsxSheetReader : SheetReader
{
    /// <summary>Excel's last row and column count.</summary>
    public const int MaxRow = 1_048_576;
    public const int MaxColumns = 16_384;

    private readonly XlsxWorkbook _workbook;
    private readonly string _part;
    private readonly List<string> _shared;
    private readonly HashSet<int> _dates;
    private readonly XmlReader _xml;
    private readonly List<int> _columns = [];
    private readonly List<SheetCell> _cells = [];
    private readonly StringBuilder _text = new();
    private readonly char[] _buffer = new char[4096];
    private int _rowNumber;
    private int _heldRow;
    private bool _blank;
    private int _width;

    public XlsxSheetReader(Stream seekable, string? sheet)
    {
        _workbook = XlsxWorkbook.Open(seekable);
        try
        {
            _part = _workbook.SheetPart(sheet);
            _shared = Guarded("xl/sharedStrings.xml", _workbook.ReadSharedStrings);
            _dates = Guarded("xl/styles.xml", _workbook.ReadDateStyles);
            _xml = _workbook.OpenPart(_part);
        }
        catch
        {
            _workbook.Dispose();
            throw;
        }
    }

    /// <summary>The workbook's sheet names in order.</summary>
    public static IReadOnlyList<string> SheetNames(Stream seekable)
    {
        using var workbook = XlsxWorkbook.Open(seekable);
        return workbook.Sheets.Select(s => s.Name).ToList();
    }

    public override bool Read()
    {
        try
        {
            return ReadRow();
        }
        catch (Exception e) when (e is XmlException or InvalidDataException)
        {
            throw Unreadable(_part, e);
        }
    }

    public override int RowNumber => _rowNumber;

    /// <summary>The sheet's declared width, or the row's when it is wider.</summary>
    public override int FieldCount => _blank || _columns.Count == 0 ? _width : Math.Max(_width, _columns[^1] + 1);

    public override SheetCell Cell(int index)
    {
        if (_blank)
        {
            return SheetCell.Empty;
        }
        var at = _columns.BinarySearch(index);
        return at >= 0 ? _cells[at] : SheetCell.Empty;
    }

    public override void Dispose()
    {
        _xml.Dispose();
        _workbook.Dispose();
    }

    private bool ReadRow()
    {
        if (_heldRow > 0)
        {
            // Rows absent from the XML between the last one and the held one read as empty.
            if (_rowNumber + 1 < _heldRow)
            {
                _rowNumber++;
                return true;
            }
            (_rowNumber, _heldRow, _blank) = (_heldRow, 0, false);
            return true;
        }
        if (NextRow() is not { } row)
        {
            return false;
        }
        if (row > _rowNumber + 1)
        {
            (_heldRow, _blank) = (row, true);
            _rowNumber++;
            return true;
        }
        (_rowNumber, _blank) = (row, false);
        return true;
    }

    /// <summary>Parses the next row element into the cell lists and returns its number; null at the end of the sheet.</summary>
    private int? NextRow()
    {
        while (_xml.Read())
        {
            if (_xml.NodeType != XmlNodeType.Element)
            {
                continue;
            }
            if (_xml.LocalName == "dimension")
            {
                _width = DeclaredWidth(_xml.GetAttribute("ref"));
            }
            else if (_xml.LocalName == "row")
            {
                var row = RowIndex(_xml.GetAttribute("r"));
                _columns.Clear();
                _cells.Clear();
                if (!_xml.IsEmptyElement)
                {
                    ReadCells(row);
                }
                return row;
            }
        }
        return null;
    }

    private int RowIndex(string? reference)
    {
        if (reference is null)
        {
            return _rowNumber + 1;
        }
        if (!int.TryParse(reference, NumberStyles.None, CultureInfo.InvariantCulture, out var row) || row <= _rowNumber || row > MaxRow)
        {
            throw Damaged($"la fila \"{Shorten(reference)}\" está fuera de orden o fuera del rango de Excel (1 a {MaxRow:N0})");
        }
        return row;
    }

    private void ReadCells(int row)
    {
        var depth = _xml.Depth;
        while (_xml.Read() && _xml.Depth > depth)
        {
            if (_xml.NodeType == XmlNodeType.Element && _xml.LocalName == "c")
            {
                var column = _xml.GetAttribute("r") is { } reference ? ColumnIndex(reference, row) : (_columns.Count == 0 ? 0 : _columns[^1] + 1);
                if (column >= MaxColumns)
                {
                    throw Damaged($"la fila {row} tiene celdas más allá de la columna XFD");
                }
                var type = _xml.GetAttribute("t");
                var style = int.TryParse(_xml.GetAttribute("s"), NumberStyles.None, CultureInfo.InvariantCulture, out var s) ? s : 0;
                if (ReadValue() is { } value)
                {
                    Store(column, Convert(value, type, style, column, row));
                }
            }
        }
    }

    /// <summary>The cell's value (v) or inline string (is) as text; null when the cell holds neither. Formulas (f) are never evaluated.</summary>
    private string? ReadValue()
    {
        if (_xml.IsEmptyElement)
        {
            return null;
        }
        string? value = null;
        var depth = _xml.Depth;
        while (_xml.Read() && _xml.Depth > depth)
        {
            if (_xml.NodeType != XmlNodeType.Element || _xml.LocalName is not ("v" or "is"))
            {
                continue;
            }
            _text.Clear();
            if (_xml.LocalName == "v")
            {
                XlsxText.ReadText(_xml, _text, _buffer, _part);
            }
            else
            {
                XlsxText.ReadRichText(_xml, _text, _buffer, _part);
            }
            value = _text.ToString();
        }
        return value;
    }

    private SheetCell Convert(string value, string? type, int style, int column, int row)
    {
        switch (type)
        {
            case "s":
                return int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var index) && index < _shared.Count
                    ? new SheetCell(_shared[index], null)
                    : throw Damaged($"la celda {HeaderText.ColumnLetter(column)}{row} apunta a un texto compartido que no existe");
            case "inlineStr" or "str" or "e":
                return new SheetCell(value, null);
            case "b":
                return new SheetCell(value.Trim() == "1" ? "True" : "False", null);
            case "d":
                return new SheetCell(DateTime.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var date)
                    ? date.ToString("s", CultureInfo.InvariantCulture) : value, null);
        }
        if (!double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var number))
        {
            return new SheetCell(value, null);
        }
        if (_dates.Contains(style) && number is > -657435 and < 2958466)
        {
            return new SheetCell(DateTime.FromOADate(number).ToString("s", CultureInfo.InvariantCulture), null);
        }
        var text = number.ToString("R", CultureInfo.InvariantCulture);
        return Math.Abs(number) < 1e15 ? new SheetCell(text, (decimal)number) : new SheetCell(text, null);
    }

    /// <summary>Cells normally come in column order; a file that repeats or reorders them is read as if it had not.</summary>
    private void Store(int column, SheetCell cell)
    {
        if (_columns.Count == 0 || column > _columns[^1])
        {
            _columns.Add(column);
            _cells.Add(cell);
            return;
        }
        var at = _columns.BinarySearch(column);
        if (at >= 0)
        {
            _cells[at] = cell;
            return;
        }
        _columns.Insert(~at, column);
        _cells.Insert(~at, cell);
    }

    private static int ColumnIndex(string reference, int row)
    {
        var index = 0;
        var letters = 0;
        foreach (var c in reference)
        {
            if (!char.IsAsciiLetter(c))
            {
                break;
            }
            index = index * 26 + (char.ToUpperInvariant(c) - 'A' + 1);
            if (++letters > 3)
            {
                break;
            }
        }
        if (letters is 0 or > 3)
        {
            throw Damaged($"la referencia de celda \"{Shorten(reference)}\" de la fila {row} no es válida");
        }
        return index - 1;
    }

    /// <summary>Columns of a dimension such as "A1:D200"; a reference beyond XFD counts as XFD.</summary>
    private static int DeclaredWidth(string? reference)
    {
        var last = reference?.Split(':')[^1] ?? "";
        var index = 0;
        foreach (var c in last.TakeWhile(char.IsAsciiLetter).Take(4))
        {
            index = index * 26 + (char.ToUpperInvariant(c) - 'A' + 1);
        }
        return Math.Min(index, MaxColumns);
    }

    private static InventoryFileException Damaged(string problem) =>
        new($"El archivo .xlsx está dañado: {problem}. Vuelve a guardarlo como .xlsx o .csv.");

    /// <summary>Malformed XML or compressed data anywhere in the part is the file's fault, told as such.</summary>
    private static T Guarded<T>(string part, Func<T> read)
    {
        try
        {
            return read();
        }
        catch (Exception e) when (e is XmlException or InvalidDataException)
        {
            throw Unreadable(part, e);
        }
    }

    private static InventoryFileException Unreadable(string part, Exception e) => e is XmlException xml
        ? Damaged($"el XML de {part} no es válido (línea {xml.LineNumber}, posición {xml.LinePosition})")
        : Damaged($"{part} no se puede descomprimir");

    private static string Shorten(string text) => text.Length <= 20 ? text : text[..20] + "…";
}
