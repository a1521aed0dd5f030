using System.Globalization;

namespace Nexus.Core.Catalog;

/// <summary>A validated catalog search. Filters combine with AND; <see cref="Create"/> turns the raw query string into one.</summary>
public sealed record PartSearchQuery(
    string? Number,
    string? Name,
    string? Make,
    string? Model,
    int? Year,
    int? VehicleId,
    int? CategoryId,
    bool IncludeAftermarket,
    int Page,
    int PageSize)
{
    public const int DefaultPageSize = 20;
    public const int MaxPageSize = 100;
    /// <summary>Deep pages cost OFFSET rows; nobody pages past this, narrowing the search is the answer.</summary>
    public const int MaxOffset = 10_000;
    public const int MinTermLength = 3;

    /// <summary>Longest text term: part numbers and names are far shorter, and a trigram search grows with its term.</summary>
    public const int MaxTermLength = 100;

    public int Offset => (Page - 1) * PageSize;

    public bool ByVehicle => Make is not null || Model is not null || Year is not null || VehicleId is not null;

    /// <summary>Raw query-string values as received (all optional).</summary>
    public sealed record Raw(
        string? Q, string? Number, string? Name, string? Brand, string? Model, string? Year, string? VehicleId,
        string? CategoryId, string? IncludeAftermarket, string? Page, string? PageSize);

    /// <summary>
    /// `q` is the search box: read as a part number when it contains a digit and no word of letters only
    /// ("0 986 AB2 854", "FL-820-S", "AC191"), otherwise as a part name ("suspension", "foco h4").
    /// </summary>
    public static (PartSearchQuery? Query, Dictionary<string, string[]> Errors) Create(Raw raw)
    {
        var errors = new Dictionary<string, string[]>();
        var number = Trimmed(raw.Number);
        var name = Trimmed(raw.Name);
        if (Trimmed(raw.Q) is { } q)
        {
            if (LooksLikePartNumber(q))
            {
                number ??= q;
            }
            else
            {
                name ??= q;
            }
        }

        if (number is not null && Normalize(number).Length < MinTermLength)
        {
            errors["number"] = [$"A part number search needs at least {MinTermLength} letters or digits."];
        }
        if (name is not null && name.Length < MinTermLength)
        {
            errors["name"] = [$"A name search needs at least {MinTermLength} characters."];
        }
        foreach (var (field, text) in new[] { ("q", raw.Q), ("number", raw.Number), ("name", raw.Name), ("brand", raw.Brand), ("model", raw.Model) })
        {
            if (text?.Trim().Length > MaxTermLength)
            {
                errors[field] = [$"A search term must be at most {MaxTermLength} characters."];
            }
        }
        var year = ParseInt(raw.Year, "year", 1900, 2100, null, errors);
        var vehicleId = ParseInt(raw.VehicleId, "vehicle_id", 1, int.MaxValue, null, errors);
        var categoryId = ParseInt(raw.CategoryId, "category_id", 1, int.MaxValue, null, errors);
        var page = ParseInt(raw.Page, "page", 1, int.MaxValue, 1, errors);
        var pageSize = ParseInt(raw.PageSize, "page_size", 1, MaxPageSize, DefaultPageSize, errors);
        if (page is { } p && pageSize is { } s && (long)(p - 1) * s > MaxOffset)
        {
            errors["page"] = [$"Pages beyond {MaxOffset} results are not served; narrow the search."];
        }
        var includeAftermarket = false;
        if (Trimmed(raw.IncludeAftermarket) is { } include && !bool.TryParse(include, out includeAftermarket))
        {
            errors["include_aftermarket"] = ["Must be true or false."];
        }

        if (errors.Count > 0)
        {
            return (null, errors);
        }
        return (new PartSearchQuery(number, name, Trimmed(raw.Brand), Trimmed(raw.Model), year, vehicleId, categoryId,
            includeAftermarket, page!.Value, pageSize!.Value), errors);
    }

    public static bool LooksLikePartNumber(string text) =>
        text.Any(char.IsDigit) && !text.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries).Any(word => word.Length >= 3 && word.All(char.IsLetter));

    private static string Normalize(string number) => new(number.Where(char.IsLetterOrDigit).ToArray());

    private static string? Trimmed(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    private static int? ParseInt(string? value, string field, int min, int max, int? fallback, Dictionary<string, string[]> errors)
    {
        if (Trimmed(value) is not { } text)
        {
            return fallback;
        }
        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed) && parsed >= min && parsed <= max)
        {
            return parsed;
        }
        errors[field] = [$"Must be a whole number from {min} to {max}."];
        return null;
    }
}
