using System.Xml;

namespace Nexus.Core.Inventory;

/// <summary>Which cell styles of styles.xml show numbers as dates, so such cells read as dates and not as numbers.</summary>
internal static class XlsxStyles
{
    /// <summary>Indexes of the cell formats (cellXfs, a cell's s attribute) whose number format shows a date or time.</summary>
    public static HashSet<int> DateFormats(XmlReader reader)
    {
        var dates = new HashSet<int>();
        var customDates = new HashSet<int>();
        var index = 0;
        var inCellFormats = false;
        while (reader.Read())
        {
            if (reader.NodeType == XmlNodeType.EndElement && reader.LocalName == "cellXfs")
            {
                inCellFormats = false;
            }
            if (reader.NodeType != XmlNodeType.Element)
            {
                continue;
            }
            switch (reader.LocalName)
            {
                case "numFmt" when int.TryParse(reader.GetAttribute("numFmtId"), out var id) && IsDateFormat(reader.GetAttribute("formatCode")):
                    customDates.Add(id);
                    break;
                case "cellXfs":
                    inCellFormats = !reader.IsEmptyElement;
                    break;
                case "xf" when inCellFormats:
                    if (int.TryParse(reader.GetAttribute("numFmtId"), out var format) && (IsBuiltInDate(format) || customDates.Contains(format)))
                    {
                        dates.Add(index);
                    }
                    index++;
                    break;
            }
        }
        return dates;
    }

    // ECMA-376 built-in formats 14-22 and 45-47 are dates and times.
    private static bool IsBuiltInDate(int format) => format is >= 14 and <= 22 or >= 45 and <= 47;

    /// <summary>A custom format shows a date when, outside quoted text, escapes and [brackets], it has y, m, d, h or s.</summary>
    private static bool IsDateFormat(string? code)
    {
        if (string.IsNullOrEmpty(code) || code.Equals("General", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }
        var quoted = false;
        var bracket = false;
        for (var i = 0; i < code.Length; i++)
        {
            var c = code[i];
            if (c == '"')
            {
                quoted = !quoted;
            }
            else if (quoted)
            {
                continue;
            }
            else if (c == '\\' || c == '_' || c == '*')
            {
                i++;
            }
            else if (c == '[')
            {
                bracket = true;
            }
            else if (c == ']')
            {
                bracket = false;
            }
            else if (!bracket && "yYmMdDhHsS".Contains(c))
            {
                return true;
            }
        }
        return false;
    }
}
