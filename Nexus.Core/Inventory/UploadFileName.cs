namespace Nexus.Core.Inventory;

/// <summary>What a bodega may upload, judged by the file name before any byte is stored.</summary>
public static class UploadFileName
{
    public static readonly string[] Extensions = [".csv", ".txt", ".tsv", ".xlsx"];

    public const int MaxLength = 200;

    /// <summary>The name without any client path (a browser's "C:\fakepath\inv.csv" is "inv.csv").</summary>
    public static string Clean(string? fileName)
    {
        var name = fileName?.Trim() ?? "";
        return name[(name.LastIndexOfAny(['/', '\\']) + 1)..].Trim();
    }

    /// <summary>The reason the name is refused (Spanish, then English), or null when it is acceptable.</summary>
    public static string? Problem(string? fileName)
    {
        var name = Clean(fileName);
        if (name.Length == 0)
        {
            return "Indica el nombre del archivo. / The file name is required.";
        }
        if (name.Length > MaxLength)
        {
            return $"El nombre del archivo excede {MaxLength} caracteres. / The file name is longer than {MaxLength} characters.";
        }
        if (name.Any(char.IsControl))
        {
            return "El nombre del archivo contiene caracteres de control. / The file name contains control characters.";
        }
        var extension = Path.GetExtension(name).ToLowerInvariant();
        if (extension == ".xls")
        {
            return InventoryFileSniffer.LegacyExcelMessage + " / .xls files (Excel 97-2003) are not supported: save the file as .xlsx or .csv.";
        }
        if (!Extensions.Contains(extension))
        {
            return $"Formato no admitido ({(extension.Length > 0 ? extension : "sin extensión")}): sube un archivo .csv, .txt, .tsv o .xlsx."
                + " / Unsupported file type: upload a .csv, .txt, .tsv or .xlsx file.";
        }
        return null;
    }
}
