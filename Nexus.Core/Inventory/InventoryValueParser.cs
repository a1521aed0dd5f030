using System.Globalization;

namespace Nexus.Core.Inventory;

/// <summary>
/// Prices and quantities as bodegas write them: "$1,234.50", "1234.5", "1.234,50", "1 234,50", "12.0".
/// With both separators the last one is the decimal point; a lone separator followed by exactly three digits
/// ("1,234", "12.500") groups thousands, otherwise it is the decimal point. Thousands come in groups of three, and the
/// only words allowed are currency names ("MXN 1,200", "1200 pesos"): "1,2,3", "1e5" or "0x10" are not read as numbers.
/// </summary>
public static class InventoryValueParser
{
    public const decimal MaxPrice = 10_000_000m;
    public const int MaxQuantity = 10_000_000;

    public static bool TryParsePrice(SheetCell cell, out decimal price, out string? error)
    {
        price = 0;
        if (!TryParseNumber(cell, out var value, out error, "precio"))
        {
            return false;
        }
        if (value < 0)
        {
            error = $"Precio negativo: {cell.Text}";
            return false;
        }
        if (value >= MaxPrice)
        {
            error = $"Precio fuera de rango: {cell.Text}";
            return false;
        }
        price = Math.Round(value, 2, MidpointRounding.AwayFromZero);
        return true;
    }

    /// <param name="field">Spanish name of the field for the error message.</param>
    public static bool TryParseQuantity(SheetCell cell, string field, out int quantity, out string? error)
    {
        quantity = 0;
        if (!TryParseNumber(cell, out var value, out error, field))
        {
            return false;
        }
        if (value < 0)
        {
            error = $"{Capitalize(field)} negativa: {cell.Text}";
            return false;
        }
        if (value != decimal.Truncate(value))
        {
            error = $"{Capitalize(field)} no es un número entero: {cell.Text}";
            return false;
        }
        if (value > MaxQuantity)
        {
            error = $"{Capitalize(field)} fuera de rango: {cell.Text}";
            return false;
        }
        quantity = (int)value;
        return true;
    }

    private static bool TryParseNumber(SheetCell cell, out decimal value, out string? error, string field)
    {
        error = null;
        if (cell.Number is { } number)
        {
            value = number;
            return true;
        }
        if (TryParseText(cell.Text, out value))
        {
            return true;
        }
        error = string.IsNullOrWhiteSpace(cell.Text) ? $"Falta {field}" : $"{Capitalize(field)} no válido: {Shorten(cell.Text)}";
        return false;
    }

    public static bool TryParseText(string text, out decimal value)
    {
        value = 0;
        Span<char> buffer = stackalloc char[64];
        var length = 0;
        var negative = false;
        var word = 0;
        for (var i = 0; i <= text.Length; i++)
        {
            var c = i < text.Length ? text[i] : ' ';
            if (char.IsLetter(c))
            {
                word++;
                continue;
            }
            // Letters are only allowed as a whole currency word: "1e5" and "0x10" are not numbers.
            if (word > 0 && !IsCurrencyWord(text.AsSpan(i - word, word)))
            {
                return false;
            }
            word = 0;
            if (char.IsAsciiDigit(c) || c is '.' or ',')
            {
                if (length == buffer.Length)
                {
                    return false;
                }
                buffer[length++] = c;
            }
            else if (c is '-' or '(' && length == 0)
            {
                negative = true;
            }
            else if (!(char.IsWhiteSpace(c) || c is '$' or '\'' or ')' or '+'))
            {
                return false;
            }
        }
        var digits = buffer[..length];
        if (digits.IsEmpty || digits.IndexOfAnyInRange('0', '9') < 0)
        {
            return false;
        }
        var lastDot = digits.LastIndexOf('.');
        var lastComma = digits.LastIndexOf(',');
        char? decimalSeparator = null;
        if (lastDot >= 0 && lastComma >= 0)
        {
            decimalSeparator = lastDot > lastComma ? '.' : ',';
        }
        else if (lastDot >= 0 || lastComma >= 0)
        {
            var separator = lastDot >= 0 ? '.' : ',';
            var position = Math.Max(lastDot, lastComma);
            var single = digits.Count(separator) == 1;
            var groupsThousands = digits.Length - position - 1 == 3 && position > 0 && digits[0] != '0';
            decimalSeparator = single && !groupsThousands ? separator : null;
        }
        if (!SeparatorsAreWellPlaced(digits, decimalSeparator))
        {
            return false;
        }
        Span<char> plain = stackalloc char[length + 1];
        var plainLength = 0;
        if (negative)
        {
            plain[plainLength++] = '-';
        }
        foreach (var c in digits)
        {
            if (char.IsAsciiDigit(c))
            {
                plain[plainLength++] = c;
            }
            else if (c == decimalSeparator)
            {
                plain[plainLength++] = '.';
            }
        }
        return decimal.TryParse(plain[..plainLength], NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out value);
    }

    /// <summary>
    /// One decimal separator at most, nothing but digits after it, and thousands grouped in threes with one kind of
    /// separator: "1.234.567,5" is a number, "1,2,3" and "1.5.5" are not.
    /// </summary>
    private static bool SeparatorsAreWellPlaced(ReadOnlySpan<char> digits, char? decimalSeparator)
    {
        var integerPart = digits;
        if (decimalSeparator is { } point)
        {
            var at = digits.LastIndexOf(point);
            if (digits[(at + 1)..].IndexOfAny('.', ',') >= 0 || digits[..at].Contains(point))
            {
                return false;
            }
            integerPart = digits[..at];
        }
        if (integerPart.IndexOfAny('.', ',') < 0)
        {
            return true;
        }
        var group = integerPart[integerPart.IndexOfAny('.', ',')];
        var groups = 0;
        foreach (var range in integerPart.Split(group))
        {
            var digitsOfGroup = integerPart[range];
            if (digitsOfGroup.IndexOfAny('.', ',') >= 0 || (groups == 0 ? digitsOfGroup.Length is < 1 or > 3 : digitsOfGroup.Length != 3))
            {
                return false;
            }
            groups++;
        }
        return true;
    }

    // "MXN 1,200", "1200 pesos", "USD 15", "$15 MN".
    private static bool IsCurrencyWord(ReadOnlySpan<char> word) =>
        word.Equals("MXN", StringComparison.OrdinalIgnoreCase) || word.Equals("USD", StringComparison.OrdinalIgnoreCase)
        || word.Equals("US", StringComparison.OrdinalIgnoreCase) || word.Equals("MN", StringComparison.OrdinalIgnoreCase)
        || word.Equals("PESO", StringComparison.OrdinalIgnoreCase) || word.Equals("PESOS", StringComparison.OrdinalIgnoreCase);

    private static string Capitalize(string field) => char.ToUpperInvariant(field[0]) + field[1..];

    private static string Shorten(string text) => text.Length <= 40 ? text : text[..40] + "…";
}
