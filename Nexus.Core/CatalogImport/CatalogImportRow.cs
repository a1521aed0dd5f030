namespace Nexus.Core.CatalogImport;

/// <summary>
/// One data row of an article feed: the cleaned values to stage, or why the row as a whole is unusable
/// (<see cref="Error"/>, with the supplier and article number as read, for the report).
/// </summary>
/// <param name="OemNumbers">Distinct by normalised number, in file order.</param>
/// <param name="VehicleIds">Distinct ids in file order; <paramref name="BadVehicleIds"/> holds the values that are not ids.</param>
public sealed record CatalogImportRow(
    int RowNumber,
    string Supplier,
    string ArticleNumber,
    string? Name,
    string? Category,
    string[] OemNumbers,
    int[] VehicleIds,
    string[] BadVehicleIds,
    string? Error);
