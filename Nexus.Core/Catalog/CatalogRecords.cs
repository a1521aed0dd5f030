namespace Nexus.Core.Catalog;

// The public catalog: what a part is and what it fits. Never prices or stock (those are TALLER-only, elsewhere).

public sealed record PartSummary
{
    public int IdPart { get; init; }
    public string OemPartNumber { get; init; } = "";
    public string NamePart { get; init; } = "";
    public string? Description { get; init; }
    public int? IdCategory { get; init; }
    public string? NameCategory { get; init; }
    public int? IdManufacture { get; init; }
    public string? NameManufacture { get; init; }
}

/// <param name="HasMore">Whether a next page exists; no total count, which would cost a full scan on a broad search.</param>
public sealed record PartSearchPage(IReadOnlyList<PartSummary> Items, int Page, int PageSize, bool HasMore);

public sealed record PartVehicle
{
    public int IdVehicle { get; init; }
    public string Brand { get; init; } = "";
    public string Model { get; init; } = "";
    public short Year { get; init; }
    public string? Engine { get; init; }
}

public sealed record PartCrossReference
{
    public string CrossReferenceNumber { get; init; } = "";
    public string SourceRef { get; init; } = "";
}

public sealed record PartDetail(
    int IdPart,
    string OemPartNumber,
    string NamePart,
    string? Description,
    int? IdCategory,
    string? NameCategory,
    int? IdManufacture,
    string? NameManufacture,
    IReadOnlyList<PartVehicle> Vehicles,
    IReadOnlyList<PartCrossReference> CrossReferences);

public sealed record Category
{
    public int IdCategory { get; init; }
    public string NameCategory { get; init; } = "";
}

public sealed record VehicleMake(string Make);

public sealed record VehicleModelName(string Model);

public sealed record VehicleYear(int Year, IReadOnlyList<VehicleEngine> Vehicles);

public sealed record VehicleEngine(int IdVehicle, string? Engine);
