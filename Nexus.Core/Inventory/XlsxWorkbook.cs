using System.IO.Compression;
using System.Text;
using System.Xml;

namespace Nexus.Core.Inventory;

/// <summary>
/// What the import needs from an xlsx package besides the rows: the sheets (workbook.xml and its relationships), the
/// shared strings and which cell styles show dates. Call <see cref="XlsxGuard"/> first: it has bounded the sizes and
/// refused DTDs, and every part is read here with DTDs prohibited anyway.
/// </summary>
internal sealed class XlsxWorkbook : IDisposable
{
    /// <summary>Shared strings are held in memory while the sheet is read; this bounds them (128 MB of text).</summary>
    private const long MaxSharedChars = 64L * 1024 * 1024;

    private const string Damaged = "El archivo .xlsx está dañado: vuelve a guardarlo como .xlsx o .csv.";

    internal static readonly XmlReaderSettings XmlSettings = new()
    {
        DtdProcessing = DtdProcessing.Prohibit,
        IgnoreComments = true,
        IgnoreProcessingInstructions = true,
        CloseInput = true,
    };

    private readonly ZipArchive _zip;
    private readonly Dictionary<string, (string Type, string Part)> _relationships;

    private XlsxWorkbook(ZipArchive zip)
    {
        _zip = zip;
        _relationships = ReadRelationships();
        Sheets = ReadSheets();
    }

    /// <summary>The worksheets in workbook order: their names and package parts.</summary>
    public IReadOnlyList<(string Name, string Part)> Sheets { get; }

    public static XlsxWorkbook Open(Stream seekable)
    {
        ZipArchive? zip = null;
        try
        {
            zip = new ZipArchive(seekable, ZipArchiveMode.Read, leaveOpen: true);
            return new XlsxWorkbook(zip);
        }
        catch (Exception e) when (e is InvalidDataException or XmlException)
        {
            zip?.Dispose();
            throw new InventoryFileException(Damaged);
        }
        catch
        {
            zip?.Dispose();
            throw;
        }
    }

    public XmlReader OpenPart(string part)
    {
        var entry = _zip.GetEntry(part) ?? throw new InventoryFileException($"El archivo .xlsx está dañado: falta la parte {part}.");
        return XmlReader.Create(entry.Open(), XmlSettings);
    }

    /// <summary>The shared string table (cells of type s point into it); empty when the workbook has none.</summary>
    public List<string> ReadSharedStrings()
    {
        var strings = new List<string>();
        if (Part("/sharedStrings") is not { } part)
        {
            return strings;
        }
        var text = new StringBuilder();
        var buffer = new char[4096];
        long total = 0;
        using var reader = OpenPart(part);
        while (reader.Read())
        {
            if (reader.NodeType == XmlNodeType.Element && reader.LocalName == "si")
            {
                text.Clear();
                XlsxText.ReadRichText(reader, text, buffer, part);
                total += text.Length;
                if (total > MaxSharedChars)
                {
                    throw new InventoryFileException("El archivo .xlsx tiene demasiado texto; divídelo o guárdalo como .csv.");
                }
                strings.Add(text.ToString());
            }
        }
        return strings;
    }

    /// <summary>Indexes of the cell formats (a cell's s attribute) whose number format shows a date or time.</summary>
    public HashSet<int> ReadDateStyles()
    {
        if (Part("/styles") is not { } part)
        {
            return [];
        }
        using var reader = OpenPart(part);
        return XlsxStyles.DateFormats(reader);
    }

    /// <summary>The part of the sheet named (ignoring case and accents) or numbered (1-based); the first sheet when none is given.</summary>
    public string SheetPart(string? sheet)
    {
        if (string.IsNullOrWhiteSpace(sheet))
        {
            return Sheets[0].Part;
        }
        var byName = Sheets.FirstOrDefault(s => HeaderText.Normalize(s.Name) == HeaderText.Normalize(sheet));
        if (byName.Part is not null)
        {
            return byName.Part;
        }
        if (int.TryParse(sheet, out var position) && position >= 1 && position <= Sheets.Count)
        {
            return Sheets[position - 1].Part;
        }
        throw new InventoryFileException($"La hoja \"{sheet}\" no existe en el archivo; hojas: {string.Join(", ", Sheets.Select(s => s.Name))}.");
    }

    public void Dispose() => _zip.Dispose();

    private string? Part(string typeSuffix) =>
        _relationships.Values.FirstOrDefault(r => r.Type.EndsWith(typeSuffix, StringComparison.Ordinal)) is { Part: { } part } && _zip.GetEntry(part) is not null
            ? part
            : null;

    private Dictionary<string, (string Type, string Part)> ReadRelationships()
    {
        var relationships = new Dictionary<string, (string, string)>(StringComparer.Ordinal);
        if (_zip.GetEntry("xl/_rels/workbook.xml.rels") is null)
        {
            throw new InventoryFileException(Damaged);
        }
        using var reader = OpenPart("xl/_rels/workbook.xml.rels");
        while (reader.Read())
        {
            if (reader.NodeType == XmlNodeType.Element && reader.LocalName == "Relationship"
                && reader.GetAttribute("Id") is { } id && reader.GetAttribute("Target") is { } target)
            {
                relationships[id] = (reader.GetAttribute("Type") ?? "", PartPath(target));
            }
        }
        return relationships;
    }

    private List<(string Name, string Part)> ReadSheets()
    {
        var sheets = new List<(string, string)>();
        using var reader = OpenPart("xl/workbook.xml");
        while (reader.Read())
        {
            if (reader.NodeType != XmlNodeType.Element || reader.LocalName != "sheet")
            {
                continue;
            }
            var name = reader.GetAttribute("name") ?? "";
            var id = RelationshipId(reader);
            if (id is null || !_relationships.TryGetValue(id, out var relationship) || _zip.GetEntry(relationship.Part) is null)
            {
                throw new InventoryFileException($"El archivo .xlsx está dañado: falta la hoja \"{name}\".");
            }
            sheets.Add((name, relationship.Part));
        }
        if (sheets.Count == 0)
        {
            throw new InventoryFileException("El libro de Excel no tiene hojas.");
        }
        return sheets;
    }

    /// <summary>The r:id of a sheet element, in the transitional or the strict relationships namespace.</summary>
    private static string? RelationshipId(XmlReader reader)
    {
        while (reader.MoveToNextAttribute())
        {
            if (reader.LocalName == "id" && reader.NamespaceURI.Contains("relationships", StringComparison.Ordinal))
            {
                var id = reader.Value;
                reader.MoveToElement();
                return id;
            }
        }
        reader.MoveToElement();
        return null;
    }

    /// <summary>A relationship target of workbook.xml ("worksheets/sheet1.xml" or "/xl/worksheets/sheet1.xml") as a zip entry name.</summary>
    private static string PartPath(string target)
    {
        var segments = new List<string>();
        foreach (var segment in (target.StartsWith('/') ? target[1..] : "xl/" + target).Split('/'))
        {
            if (segment == "..")
            {
                if (segments.Count > 0)
                {
                    segments.RemoveAt(segments.Count - 1);
                }
            }
            else if (segment is not ("" or "."))
            {
                segments.Add(segment);
            }
        }
        return string.Join('/', segments);
    }
}
