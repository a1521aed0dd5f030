using System.Text;

namespace Nexus.Core.Inventory;

public enum InventoryFileKind
{
    Csv,
    Xlsx,
}

/// <summary>Decides what an upload is from its extension and first bytes, refusing anything that is not CSV text or xlsx.</summary>
public static class InventoryFileSniffer
{
    public const int HeadLength = 8192;

    private static readonly byte[] ZipMagic = [0x50, 0x4B, 0x03, 0x04];
    private static readonly byte[] OleMagic = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
    private static readonly string[] TextExtensions = [".csv", ".txt", ".tsv"];
    private static readonly string[] ExcelExtensions = [".xlsx", ".xlsm"];

    public const string LegacyExcelMessage = "Los archivos .xls (Excel 97-2003) no se admiten: guárdalo como .xlsx o .csv.";

    public static InventoryFileKind Detect(string fileName, ReadOnlySpan<byte> head)
    {
        var extension = Path.GetExtension(fileName).ToLowerInvariant();
        if (head.IsEmpty)
        {
            throw new InventoryFileException("El archivo está vacío.");
        }
        if (head.StartsWith(OleMagic) && ExcelExtensions.Contains(extension))
        {
            // Excel also writes a password-protected .xlsx as an OLE container.
            throw new InventoryFileException(
                "El archivo es un libro .xls (Excel 97-2003) con otro nombre o un .xlsx protegido con contraseña: quita la contraseña y guárdalo como .xlsx o .csv.");
        }
        if (head.StartsWith(OleMagic) || extension == ".xls")
        {
            throw new InventoryFileException(LegacyExcelMessage);
        }
        if (!TextExtensions.Contains(extension) && !ExcelExtensions.Contains(extension))
        {
            throw new InventoryFileException($"Formato no admitido ({extension}): sube un archivo .xlsx o .csv.");
        }
        if (head.StartsWith(ZipMagic))
        {
            return ExcelExtensions.Contains(extension)
                ? InventoryFileKind.Xlsx
                : throw new InventoryFileException($"El archivo {extension} es en realidad un archivo comprimido: sube un .xlsx o un .csv de texto.");
        }
        if (ExcelExtensions.Contains(extension))
        {
            throw new InventoryFileException("El archivo no es un libro de Excel .xlsx válido: vuelve a guardarlo como .xlsx o .csv.");
        }

        var text = DecodeHead(head);
        if (text is null || text.Contains('\0'))
        {
            throw new InventoryFileException("El archivo no es texto CSV: sube un .xlsx o un .csv.");
        }
        var start = text.TrimStart('\uFEFF', ' ', '\t', '\r', '\n');
        if (start.StartsWith('<'))
        {
            throw ContainsDtd(text)
                ? new InventoryFileException("Los archivos XML con DOCTYPE o entidades no se admiten: guárdalo como .xlsx o .csv.")
                : new InventoryFileException("Los archivos XML o HTML no se admiten: guárdalo como .xlsx o .csv.");
        }
        if (start.StartsWith("%PDF", StringComparison.Ordinal) || start.StartsWith("{\\rtf", StringComparison.Ordinal))
        {
            throw new InventoryFileException("El archivo no es texto CSV: sube un .xlsx o un .csv.");
        }
        return InventoryFileKind.Csv;
    }

    public static bool ContainsDtd(string xmlStart) =>
        xmlStart.Contains("<!DOCTYPE", StringComparison.OrdinalIgnoreCase) || xmlStart.Contains("<!ENTITY", StringComparison.OrdinalIgnoreCase);

    /// <summary>The head as text in its BOM's encoding (UTF-8 without one; Windows-1252 bytes decode too); null if it is not text.</summary>
    private static string? DecodeHead(ReadOnlySpan<byte> head)
    {
        if (head.StartsWith<byte>([0xFF, 0xFE]))
        {
            return Encoding.Unicode.GetString(head[2..]);
        }
        if (head.StartsWith<byte>([0xFE, 0xFF]))
        {
            return Encoding.BigEndianUnicode.GetString(head[2..]);
        }
        var binary = 0;
        foreach (var b in head)
        {
            if (b == 0 || (b < 0x09) || (b > 0x0D && b < 0x20 && b != 0x1A))
            {
                binary++;
            }
        }
        return binary > 0 ? null : Encoding.Latin1.GetString(head);
    }
}
