using System.IO.Compression;
using System.Security;
using System.Text;

namespace Nexus.Tests.Hostile;

/// <summary>A file of the corpus: its name as uploaded and its bytes, opened afresh for each use (big ones are generated while read).</summary>
public sealed record HostileFile(string Name, Func<Stream> Open)
{
    public static HostileFile Of(string name, byte[] content) => new(name, () => new MemoryStream(content, writable: false));

    public static HostileFile Of(string name, string text) => Of(name, Encoding.UTF8.GetBytes(text));

    public byte[] Bytes()
    {
        using var stream = Open();
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}

/// <summary>Builds the corpus's files deterministically in code: CSV text, hand-written xlsx packages, zips and generated streams.</summary>
public static class HostileFiles
{
    public const string SpreadsheetNs = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";

    /// <summary>A CSV with the corpus header and the given lines (already joined by commas).</summary>
    public static string Csv(params string[] lines) => string.Join(',', HostileFixture.Headers) + "\n" + string.Concat(lines.Select(l => l + "\n"));

    /// <summary>A worksheet's XML: the corpus header row, then the given rows (strings inline, numbers typed); a dimension when given.</summary>
    public static string Sheet(IEnumerable<object?[]> rows, string? dimension = null, string? rawRows = null)
    {
        var xml = new StringBuilder($"""<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{SpreadsheetNs}">""");
        if (dimension is not null)
        {
            xml.Append($"""<dimension ref="{dimension}"/>""");
        }
        xml.Append("<sheetData>");
        var number = 0;
        foreach (var row in rows.Prepend(HostileFixture.Headers))
        {
            number++;
            xml.Append($"""<row r="{number}">""");
            for (var i = 0; i < row.Length; i++)
            {
                var reference = $"{(char)('A' + i)}{number}";
                xml.Append(row[i] switch
                {
                    null => "",
                    string text => $"""<c r="{reference}" t="inlineStr"><is><t>{SecurityElement.Escape(text)}</t></is></c>""",
                    var value => $"""<c r="{reference}"><v>{Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture)}</v></c>""",
                });
            }
            xml.Append("</row>");
        }
        xml.Append(rawRows).Append("</sheetData></worksheet>");
        return xml.ToString();
    }

    /// <summary>A minimal valid workbook with one sheet "Hoja1" holding <paramref name="sheetXml"/>; <paramref name="parts"/> add or replace parts.</summary>
    public static byte[] Xlsx(string sheetXml, params (string Name, string Xml)[] parts) =>
        Xlsx(new MemoryStream(Encoding.UTF8.GetBytes(sheetXml)), parts);

    /// <summary>The workbook with its sheet's XML copied from a stream (for sheets too big to hold as a string).</summary>
    public static byte[] Xlsx(Stream sheetXml, params (string Name, string Xml)[] parts)
    {
        var all = new Dictionary<string, string>
        {
            ["[Content_Types].xml"] = """<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>""",
            ["_rels/.rels"] = """<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>""",
            ["xl/workbook.xml"] = $"""<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{SpreadsheetNs}" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Hoja1" sheetId="1" r:id="rId1"/></sheets></workbook>""",
            ["xl/_rels/workbook.xml.rels"] = """<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>""",
        };
        foreach (var (name, xml) in parts)
        {
            all[name] = xml;
        }
        var entries = all.Select(p => (p.Key, (Stream)new MemoryStream(Encoding.UTF8.GetBytes(p.Value)))).ToList();
        if (!all.ContainsKey("xl/worksheets/sheet1.xml"))
        {
            entries.Add(("xl/worksheets/sheet1.xml", sheetXml));
        }
        return Zip([.. entries]);
    }

    public static byte[] Zip(params (string Name, Stream Content)[] entries)
    {
        using var file = new MemoryStream();
        using (var zip = new ZipArchive(file, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var (name, content) in entries)
            {
                using var stream = zip.CreateEntry(name, CompressionLevel.Fastest).Open();
                using (content)
                {
                    content.CopyTo(stream, 1024 * 1024);
                }
            }
        }
        return file.ToArray();
    }

    public static byte[] Zip(params (string Name, string Text)[] entries) =>
        Zip(entries.Select(e => (e.Name, (Stream)new MemoryStream(Encoding.UTF8.GetBytes(e.Text)))).ToArray());

    /// <summary>A workbook whose sheet part inflates to <paramref name="entries"/> parts of <paramref name="bytesEach"/> zero bytes.</summary>
    public static byte[] ZipBomb(int entries, int bytesEach)
    {
        using var file = new MemoryStream();
        using (var zip = new ZipArchive(file, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var (name, xml) in new[] { ("[Content_Types].xml", "<?xml version=\"1.0\"?><Types/>"), ("xl/workbook.xml", "<?xml version=\"1.0\"?><workbook/>") })
            {
                using var part = zip.CreateEntry(name).Open();
                part.Write(Encoding.UTF8.GetBytes(xml));
            }
            var zeros = new byte[1024 * 1024];
            for (var e = 0; e < entries; e++)
            {
                using var bomb = zip.CreateEntry($"xl/media/bomb{e}.bin", CompressionLevel.SmallestSize).Open();
                for (var written = 0; written < bytesEach; written += zeros.Length)
                {
                    bomb.Write(zeros, 0, Math.Min(zeros.Length, bytesEach - written));
                }
            }
        }
        return file.ToArray();
    }

    /// <summary>The zip with one entry's uncompressed size rewritten in its local header and in the central directory.</summary>
    public static byte[] WithDeclaredSize(byte[] zip, string entry, uint size)
    {
        var bytes = (byte[])zip.Clone();
        var name = Encoding.ASCII.GetBytes(entry);
        for (var i = 0; i + 46 + name.Length < bytes.Length; i++)
        {
            if (bytes[i] != 0x50 || bytes[i + 1] != 0x4B)
            {
                continue;
            }
            if (bytes[i + 2] == 3 && bytes[i + 3] == 4 && bytes.AsSpan(i + 30, name.Length).SequenceEqual(name))
            {
                BitConverter.GetBytes(size).CopyTo(bytes, i + 22);
            }
            else if (bytes[i + 2] == 1 && bytes[i + 3] == 2 && bytes.AsSpan(i + 46, name.Length).SequenceEqual(name))
            {
                BitConverter.GetBytes(size).CopyTo(bytes, i + 24);
            }
        }
        return bytes;
    }

    /// <summary>A stream of <paramref name="prefix"/>, then <paramref name="count"/> repetitions of <paramref name="unit"/>, then <paramref name="suffix"/>, produced as it is read.</summary>
    public static Stream Repeat(string prefix, string unit, long count, string suffix) => new RepeatingStream(
        Encoding.UTF8.GetBytes(prefix), Encoding.UTF8.GetBytes(unit), count, Encoding.UTF8.GetBytes(suffix));

    private sealed class RepeatingStream(byte[] prefix, byte[] unit, long count, byte[] suffix) : Stream
    {
        private readonly long _length = prefix.Length + unit.Length * count + suffix.Length;
        private long _position;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => _length;

        public override long Position
        {
            get => _position;
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            var written = 0;
            while (written < buffer.Length && _position < _length)
            {
                buffer[written++] = ByteAt(_position++);
            }
            return written;
        }

        private byte ByteAt(long position)
        {
            if (position < prefix.Length)
            {
                return prefix[position];
            }
            position -= prefix.Length;
            var body = unit.LongLength * count;
            return position < body ? unit[position % unit.Length] : suffix[position - body];
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
