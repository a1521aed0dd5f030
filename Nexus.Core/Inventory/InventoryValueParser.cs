using System.Globalization;

namespace Nexus.Core.Inventory;

/// <summary>
/// Prices and quantities as bodegas write them: "$1,234.50", "1234.5", "1.234,50", "1 234,50", "12.0".
/// With both separators the last one is the decimal point; a lone separator followed by exactly three digits
/// ("1,234", "12.500") groups thousands, otherwise it is the decimal point.
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
        foreach (var c in text)
        {
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
            else if (!(char.IsWhiteSpace(c) || c is '$' or '\'' or ')' or '+' || char.IsLetter(c) && IsCurrencyLetter(c)))
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

    // "MXN 1,200", "1200 pesos", "USD": letters of a currency word around the number.
    private static bool IsCurrencyLetter(char c) => "MXNUSDPESOSmxnusdpesos".Contains(c);

    private static string Capitalize(string field) => char.ToUpperInvariant(field[0]) + field[1..];

    private static string Shorten(string text) => text.Length <= 40 ? text : text[..40] + "…";
}
