namespace Nexus.Core.DataSets;

public sealed record ManufacturerRow(int Id, string Name);

public sealed record CategoryRow(int Id, string Name);

public sealed record VehicleRow(int Id, string Brand, string Model, short Year, string Engine);

/// <param name="FirstVehicleId">Vehicles of one model and engine have consecutive ids by year, so a part fits a range.</param>
public readonly record struct PartRow(
    int Id, string Number, string Name, string? Description, int CategoryId, int? ManufacturerId, int FirstVehicleId, int VehicleCount);

public readonly record struct CrossReferenceRow(int Id, int PartId, string Number, string Source);

public sealed record AftermarketRow(int Id, int OemPartId, int ManufacturerId, string PartNumber, string Name);

/// <summary>Every row of a data set, in insertion order. Ids are explicit so the same seed gives the same ids.</summary>
public sealed class CatalogRows
{
    public List<ManufacturerRow> Manufacturers { get; } = [];
    public List<CategoryRow> Categories { get; } = [];
    public List<VehicleRow> Vehicles { get; } = [];
    public List<PartRow> Parts { get; } = [];
    public List<CrossReferenceRow> CrossReferences { get; } = [];
    public List<AftermarketRow> AftermarketParts { get; } = [];

    public long VehicleParts => Parts.Sum(p => (long)p.VehicleCount);

    public int AftParts => Parts.Count(p => p.Number.StartsWith(DataSetLandmarks.AftPrefix, StringComparison.Ordinal));
}
