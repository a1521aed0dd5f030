using System.Text;
using System.Text.Unicode;
using CsvHelper;

namespace Nexus.Core.Inventory;

/// <summary>
/// CSV rows through CsvHelper (streamed, separator detected among , ; tab |). A UTF-16 or UTF-8 byte order mark decides the
/// encoding; without one the bytes are read as UTF-8 until a cell is not valid UTF-8, which throws
/// <see cref="NotUtf8Exception"/> so the caller can start over in Windows-1252. A file that declares UTF-8 with its mark
/// and then is not fails, rather than turning its bytes into replacement characters.
/// </summary>
public sealed class CsvSheetReader : SheetReader
{
    private readonly CsvReader _reader;
    private readonly bool _checkUtf8;
    private readonly bool _declaredUtf8;
    private readonly int _maxRecordBytes;

    static CsvSheetReader() => Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);

    public static Encoding Windows1252 => Encoding.GetEncoding(1252);

    /// <param name="legacyEncoding">Windows-1252 after a <see cref="NotUtf8Exception"/>; null to start with UTF-8.</param>
    public CsvSheetReader(Stream stream, ReadOnlySpan<byte> head, int maxRecordBytes, Encoding? legacyEncoding)
    {
        _declaredUtf8 = head.StartsWith<byte>([0xEF, 0xBB, 0xBF]);
        var hasBom = _declaredUtf8 || head.StartsWith<byte>([0xFF, 0xFE]) || head.StartsWith<byte>([0xFE, 0xFF]);
        _checkUtf8 = !hasBom && legacyEncoding is null;
        _maxRecordBytes = maxRecordBytes;
        _reader = CsvReader.Create(stream, new CsvReaderOptions
        {
            HasHeader = false,
            MaxRecordSize = maxRecordBytes,
            TrackLineNumbers = true,
            Encoding = hasBom ? null : legacyEncoding,
        }, leaveOpen: true);
    }

    public override bool Read()
    {
        try
        {
            return _reader.Read();
        }
        catch (CsvFormatException e)
        {
            var line = e.LineNumber > 0 ? $" (línea {e.LineNumber})" : "";
            // The reader's only complaint with these options is a record over MaxRecordSize, which has no type of its own.
            throw new InventoryFileException(e.Message.Contains("MaxRecordSize", StringComparison.Ordinal)
                ? $"Una fila del CSV{line} excede el máximo de {_maxRecordBytes / 1024} KB: revisa si hay comillas sin cerrar o celdas enormes."
                : $"El archivo CSV no se puede leer{line}.");
        }
    }

    public override int RowNumber => (int)_reader.LineNumber;

    /// <summary>The separator in use (detected among , ; tab |).</summary>
    public char Separator => _reader.Separator;

    public override int FieldCount => _reader.FieldCount;

    public override SheetCell Cell(int index)
    {
        if (index >= _reader.FieldCount)
        {
            return SheetCell.Empty;
        }
        var bytes = _reader.GetSpan(index);
        if ((_checkUtf8 || _declaredUtf8) && !Utf8.IsValid(bytes))
        {
            throw _checkUtf8
                ? new NotUtf8Exception()
                : new InventoryFileException(
                    $"El archivo empieza con la marca de UTF-8 (BOM), pero la línea {RowNumber} tiene bytes que no son UTF-8: vuelve a guardarlo como CSV UTF-8.");
        }
        return new SheetCell(Encoding.UTF8.GetString(bytes), null);
    }

    public override void Dispose() => _reader.Dispose();
}

/// <summary>The CSV has bytes that are not UTF-8: read it again as Windows-1252.</summary>
public sealed class NotUtf8Exception() : Exception("The file is not UTF-8");
