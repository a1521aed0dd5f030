using System.Globalization;

namespace Nexus.Core.DataSets;

/// <summary>What a data set holds (as recorded when it was loaded) and whether this call loaded it.</summary>
public sealed record DataSetSummary(
    string Name,
    int Manufacturers,
    int Categories,
    int Vehicles,
    int OemParts,
    int AftParts,
    long VehicleParts,
    int CrossReferences,
    int AftermarketParts,
    int Accounts,
    double LoadSeconds,
    bool AlreadyLoaded = false)
{
    public override string ToString() => string.Format(CultureInfo.InvariantCulture,
        "data set {0}{1}: {2:N0} manufacturers, {3:N0} categories, {4:N0} vehicles, {5:N0} OEM parts, {6:N0} AFT parts, " +
        "{7:N0} vehicle_parts, {8:N0} cross references, {9:N0} aftermarket_parts, {10:N0} accounts, loaded in {11:F1} s",
        Name, AlreadyLoaded ? " (already loaded, reused)" : "", Manufacturers, Categories, Vehicles, OemParts, AftParts,
        VehicleParts, CrossReferences, AftermarketParts, Accounts, LoadSeconds);
}
