using System.Text;
using System.Xml;

namespace Nexus.Core.Inventory;

/// <summary>Text of SpreadsheetML string items and values, read in chunks and bounded by Excel's limit per cell.</summary>
internal static class XlsxText
{
    /// <summary>Excel's own limit for the text of one cell; longer text was not written by a spreadsheet.</summary>
    public const int MaxCellChars = 32_767;

    /// <summary>
    /// Appends the text of a string item (a shared string or an inline string): its t elements and rich-text runs,
    /// not the phonetic hints. Stops at <see cref="MaxCellChars"/> without reading the rest into memory.
    /// </summary>
    public static void ReadRichText(XmlReader reader, StringBuilder text, char[] buffer, string part)
    {
        if (reader.IsEmptyElement)
        {
            return;
        }
        var depth = reader.Depth;
        reader.Read();
        while (reader.Depth > depth && !reader.EOF)
        {
            if (reader.NodeType == XmlNodeType.Element && reader.LocalName == "rPh")
            {
                // Skip() already moves past the element.
                reader.Skip();
                continue;
            }
            if (reader.NodeType == XmlNodeType.Element && reader.LocalName == "t")
            {
                ReadText(reader, text, buffer, part);
            }
            reader.Read();
        }
    }

    /// <summary>Appends an element's text content in chunks, refusing more than <see cref="MaxCellChars"/> characters.</summary>
    public static void ReadText(XmlReader reader, StringBuilder text, char[] buffer, string part)
    {
        if (reader.IsEmptyElement)
        {
            return;
        }
        var depth = reader.Depth;
        while (reader.Read() && reader.Depth > depth)
        {
            if (reader.NodeType is not (XmlNodeType.Text or XmlNodeType.CDATA or XmlNodeType.Whitespace or XmlNodeType.SignificantWhitespace))
            {
                continue;
            }
            int read;
            while ((read = reader.ReadValueChunk(buffer, 0, buffer.Length)) > 0)
            {
                if (text.Length + read > MaxCellChars)
                {
                    throw new InventoryFileException(
                        $"Una celda del archivo .xlsx ({part}) tiene más de {MaxCellChars:N0} caracteres, el máximo de Excel: el archivo no es un libro válido.");
                }
                text.Append(buffer, 0, read);
            }
        }
    }
}
