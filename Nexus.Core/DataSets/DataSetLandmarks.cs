namespace Nexus.Core.DataSets;

/// <summary>
/// Fixed rows at the start of every data set (same ids in demo and full), so tests, the bench and the
/// aftermarket migration can rely on known cases: spaced and compact numbers, accented names,
/// AFT- numbers with hyphenated articles and hyphenated or lower-case suppliers, and the unresolvable ones.
/// </summary>
public static class DataSetLandmarks
{
    public const string AftPrefix = "AFT-";

    public const int BoschPadsId = 1;
    public const string BoschPadsNumber = "0986AB2854";
    public const int NissanPadsId = 2;
    public const int SentraControlArmId = 3;
    public const string SentraControlArmName = "Brazo de suspensión delantero izquierdo";
    public const int FocusOilFilterId = 4;
    public const int JettaDiscId = 5;

    public static readonly LandmarkPart[] OemParts =
    [
        new(BoschPadsId, BoschPadsNumber, "Balata cerámica delantera", "Frenos", "BOSCH", "Nissan", "Tsuru", 2015, 2017, "1.6L L4"),
        new(NissanPadsId, "41060-1KA0A", "Juego de balatas delantero", "Frenos", "Nissan", "Nissan", "Versa", 2015, 2018, "1.6L L4"),
        new(SentraControlArmId, "54500-95F0B", SentraControlArmName, "Suspensión", "Nissan", "Nissan", "Sentra", 2007, 2012, "2.0L L4"),
        new(FocusOilFilterId, "FL-820-S", "Filtro de aceite", "Filtros", "Motorcraft", "Ford", "Focus", 2012, 2014, "2.0L L4"),
        new(JettaDiscId, "1K0 615 301 AA", "Disco de freno delantero", "Frenos", "Volkswagen", "Volkswagen", "Jetta", 2011, 2014, "2.0L L4"),
    ];

    /// <param name="CrossReferenced">Whether part_cross_references holds (article, supplier as written) → the OEM part.</param>
    /// <param name="SharesVehicles">Whether the AFT part is linked to (some of) the OEM part's vehicles.</param>
    public static readonly LandmarkAft[] AftParts =
    [
        new("AC191", "PARTQUIP", NissanPadsId, CrossReferenced: true, SharesVehicles: true),
        new("10-0058", "Airstal", SentraControlArmId, CrossReferenced: true, SharesVehicles: true),
        new("10-0058", "MEAT-DORIA", JettaDiscId, CrossReferenced: true, SharesVehicles: true),
        new("BR-231", "Hella-Behr", BoschPadsId, CrossReferenced: true, SharesVehicles: true),
        new("649710", "kawe", BoschPadsId, CrossReferenced: true, SharesVehicles: true),
        new("55-1234", "Metelli", JettaDiscId, CrossReferenced: false, SharesVehicles: true),
        new("XX-0001", "SIN-MARCA", FocusOilFilterId, CrossReferenced: false, SharesVehicles: true),
        new("ZZ999", "PARTQUIP", FocusOilFilterId, CrossReferenced: false, SharesVehicles: false),
    ];

    /// <summary>The one aftermarket_parts row the spec's database starts with.</summary>
    public static readonly (int OemPartId, string Manufacturer, string PartNumber, string Name) ExistingAftermarketPart =
        (NissanPadsId, "KAWE", "6497 10", "Balatas delanteras KAWE");

    public static string AftNumber(string article, string supplier) => $"{AftPrefix}{article}-{supplier}";
}

public sealed record LandmarkPart(
    int Id, string Number, string Name, string Category, string Manufacturer, string Make, string Model, int FirstYear, int LastYear, string Engine);

public sealed record LandmarkAft(string Article, string Supplier, int OemPartId, bool CrossReferenced, bool SharesVehicles);
