namespace Nexus.Core.Inventory;

/// <summary>One data row after mapping: either the values to stage, or why it was rejected (with the raw cells).</summary>
public sealed record InventoryRow(
    int RowNumber,
    string PartNumber,
    string PartNumberNorm,
    string? Brand,
    decimal Price,
    int Stock,
    string Location,
    int MinOrderQuantity,
    string? Error,
    string[]? RawValues);
