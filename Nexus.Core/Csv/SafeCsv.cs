namespace Nexus.Core.Csv;

/// <summary>CSV cells (RFC 4180) for files the app hands out, safe to open in a spreadsheet.</summary>
public static class SafeCsv
{
    /// <summary>
    /// Quotes when needed and neutralises formula injection (ASVS 1.2.10): a cell starting with = + - @ tab, CR or NUL
    /// gets a leading apostrophe, so "=HYPERLINK(...)" or an "AFT-..." number comes back as text, never as a formula.
    /// </summary>
    public static string Cell(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return "";
        }
        var text = value.Replace("\0", "", StringComparison.Ordinal);
        if (value[0] is '=' or '+' or '-' or '@' or '\t' or '\r' or '\0')
        {
            text = "'" + text;
        }
        if (text.IndexOfAny([',', '"', '\r', '\n']) >= 0 || text != text.Trim())
        {
            text = "\"" + text.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
        }
        return text;
    }
}
