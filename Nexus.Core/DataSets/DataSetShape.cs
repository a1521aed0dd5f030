namespace Nexus.Core.DataSets;

public enum DataSetSize
{
    Demo,
    Full,
}

/// <summary>
/// How many rows of each kind a data set has. <see cref="Demo"/> and <see cref="Full"/> are the two sizes
/// `./nexus up`, the tests and the bench use; <see cref="ScaledFull"/> is the full shape with fewer rows,
/// so tests exercise the full-size code path in seconds.
/// </summary>
/// <param name="Name">Recorded in data_sets; seeding the same name again does nothing.</param>
/// <param name="OemParts">Real OEM parts, including the fixed landmark parts.</param>
/// <param name="AftParts">Legacy `AFT-{articleNo}-{supplier}` rows in parts, including the landmarks.</param>
/// <param name="AftCrossReferenced">Share of AFT parts with a cross reference (articleNo, supplier) to the OEM part they copy.</param>
/// <param name="AftUnresolvable">Share of AFT parts with neither a cross reference nor vehicles: the migration must keep and list them.</param>
/// <param name="AftUnknownSupplier">Share of AFT parts whose supplier is in no manufacturers row.</param>
/// <param name="OemInterchange">Share of OEM parts with a cross reference to another OEM brand's number.</param>
public sealed record DataSetShape(
    string Name,
    ulong Seed,
    int OemParts,
    int AftParts,
    double AftCrossReferenced = 0.85,
    double AftUnresolvable = 0.01,
    double AftUnknownSupplier = 0.003,
    double OemInterchange = 0.10)
{
    public const int FullOemParts = 1_000_000;
    public const int FullAftParts = 357_360;

    public static DataSetShape Demo { get; } = new("demo", 20260315, OemParts: 3_000, AftParts: 400);

    public static DataSetShape Full { get; } = new("full", 20260315, OemParts: FullOemParts, AftParts: FullAftParts);

    public static DataSetShape For(DataSetSize size) => size switch
    {
        DataSetSize.Demo => Demo,
        DataSetSize.Full => Full,
        _ => throw new ArgumentOutOfRangeException(nameof(size), size, "Unknown data set size"),
    };

    /// <summary>The full shape with <paramref name="oemParts"/> OEM parts and AFT parts in the full set's proportion.</summary>
    public static DataSetShape ScaledFull(int oemParts) => Full with
    {
        Name = $"full-scaled-{oemParts}",
        OemParts = oemParts,
        AftParts = (int)Math.Round((double)oemParts * FullAftParts / FullOemParts),
    };
}
