using System.IO.Compression;
using System.Xml;

namespace Nexus.Core.Inventory;

/// <summary>
/// Checks an xlsx before any parser sees it: the zip's central directory (entry count, total uncompressed size,
/// so a zip bomb is refused without inflating it), that it is a workbook, and that no XML part declares a DTD or entities.
/// </summary>
public static class XlsxGuard
{
    private const long MaxCompressionRatio = 200;
    private const long RatioCheckFromBytes = 16L * 1024 * 1024;

    public static void Check(Stream seekable, InventoryOptions options)
    {
        ZipArchive zip;
        try
        {
            zip = new ZipArchive(seekable, ZipArchiveMode.Read, leaveOpen: true);
        }
        catch (Exception e) when (e is InvalidDataException or ArgumentException or IOException)
        {
            // A truncated file makes the directory search seek before the start, which the blob stream refuses with ArgumentException.
            throw new InventoryFileException("El archivo .xlsx está dañado: vuelve a guardarlo como .xlsx o .csv.");
        }
        using (zip)
        {
            if (zip.Entries.Count > options.MaxXlsxEntries)
            {
                throw new InventoryFileException($"El archivo .xlsx tiene demasiadas partes ({zip.Entries.Count}).");
            }
            long total = 0;
            foreach (var entry in zip.Entries)
            {
                total += entry.Length;
                var ratioTooHigh = entry.Length > RatioCheckFromBytes && entry.Length / Math.Max(1, entry.CompressedLength) > MaxCompressionRatio;
                if (total > options.MaxXlsxUncompressedBytes || ratioTooHigh)
                {
                    throw new InventoryFileException("El archivo .xlsx descomprimido es demasiado grande; divídelo o guárdalo como .csv.");
                }
            }
            if (zip.GetEntry("[Content_Types].xml") is null || zip.GetEntry("xl/workbook.xml") is null)
            {
                throw new InventoryFileException("El archivo no es un libro de Excel .xlsx válido: vuelve a guardarlo como .xlsx o .csv.");
            }
            foreach (var entry in zip.Entries.Where(e => e.FullName.EndsWith(".xml", StringComparison.OrdinalIgnoreCase) || e.FullName.EndsWith(".rels", StringComparison.OrdinalIgnoreCase)))
            {
                if (ContainsDtd(entry))
                {
                    throw new InventoryFileException("El archivo .xlsx contiene declaraciones DOCTYPE o entidades XML, que no se admiten.");
                }
            }
        }
    }

    private static readonly XmlReaderSettings PrologSettings = new()
    {
        DtdProcessing = DtdProcessing.Parse,
        XmlResolver = null,
        MaxCharactersFromEntities = 1024,
    };

    /// <summary>
    /// A DTD can only come before the root element, but after any amount of comments and in any encoding the XML
    /// declares, so the prolog is read by an XML reader (nothing resolved, nothing expanded) up to the first element.
    /// </summary>
    private static bool ContainsDtd(ZipArchiveEntry entry)
    {
        try
        {
            using var reader = XmlReader.Create(entry.Open(), PrologSettings);
            while (reader.Read())
            {
                switch (reader.NodeType)
                {
                    case XmlNodeType.DocumentType:
                        return true;
                    case XmlNodeType.Element:
                        return false;
                }
            }
            return false;
        }
        catch (Exception e) when (e is InvalidDataException or XmlException)
        {
            throw new InventoryFileException($"El archivo .xlsx está dañado ({entry.FullName} no es XML válido): vuelve a guardarlo como .xlsx o .csv.");
        }
    }
}
