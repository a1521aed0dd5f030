using Nexus.Core.Inventory;

namespace Nexus.Core.CatalogImport;

/// <summary>What an administrator may upload as an article feed, judged by the file name before any byte is stored.</summary>
public static class CatalogImportFileName
{
    public static readonly string[] Extensions = [".csv", ".txt", ".tsv"];

    public const string CsvOnlyMessage = "El archivo de artículos debe ser CSV (.csv, .txt o .tsv): guarda la hoja de cálculo como CSV.";

    /// <summary>The reason the name is refused (Spanish, then English), or null when it is acceptable.</summary>
    public static string? Problem(string? fileName)
    {
        var name = UploadFileName.Clean(fileName);
        if (name.Length == 0)
        {
            return "Indica el nombre del archivo. / The file name is required.";
        }
        if (name.Length > UploadFileName.MaxLength)
        {
            return $"El nombre del archivo excede {UploadFileName.MaxLength} caracteres. / The file name is longer than {UploadFileName.MaxLength} characters.";
        }
        if (name.Any(char.IsControl))
        {
            return "El nombre del archivo contiene caracteres de control. / The file name contains control characters.";
        }
        return Extensions.Contains(Path.GetExtension(name).ToLowerInvariant())
            ? null
            : CsvOnlyMessage + " / The article feed must be a CSV file (.csv, .txt or .tsv).";
    }
}
