using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Nexus.Core.Inventory;

/// <summary>Header and column-letter helpers: "Número de Parte", "numero_de_parte" and "NUMERO DE PARTE" are the same header.</summary>
public static partial class HeaderText
{
    /// <summary>Upper case, no accents, every run of non-alphanumerics as one space.</summary>
    public static string Normalize(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return "";
        }
        var decomposed = text.Normalize(NormalizationForm.FormD);
        var builder = new StringBuilder(decomposed.Length);
        var pendingSpace = false;
        foreach (var c in decomposed)
        {
            if (CharUnicodeInfo.GetUnicodeCategory(c) == UnicodeCategory.NonSpacingMark)
            {
                continue;
            }
            if (char.IsLetterOrDigit(c))
            {
                if (pendingSpace && builder.Length > 0)
                {
                    builder.Append(' ');
                }
                pendingSpace = false;
                builder.Append(char.ToUpperInvariant(c));
            }
            else
            {
                pendingSpace = true;
            }
        }
        return builder.ToString();
    }

    /// <summary>0-based index of a column reference such as "A", "ab", "COLUMNA_C" or "Column D"; null when it is not one.</summary>
    public static int? ColumnIndex(string reference)
    {
        var match = ColumnLetters().Match(reference.Trim());
        if (!match.Success)
        {
            return null;
        }
        var letters = match.Groups["letters"].Value.ToUpperInvariant();
        if (!match.Groups["prefix"].Success && letters.Length > 2)
        {
            return null;
        }
        var index = 0;
        foreach (var c in letters)
        {
            index = index * 26 + (c - 'A' + 1);
        }
        return index - 1;
    }

    public static string ColumnLetter(int index)
    {
        var letters = "";
        for (var n = index + 1; n > 0; n = (n - 1) / 26)
        {
            letters = (char)('A' + (n - 1) % 26) + letters;
        }
        return letters;
    }

    [GeneratedRegex(@"^(?<prefix>(COLUMNA|COLUMN|COL)[\s_\-]*)?(?<letters>[A-Za-z]{1,3})$", RegexOptions.IgnoreCase)]
    private static partial Regex ColumnLetters();
}
