using System.ComponentModel.DataAnnotations;

namespace Nexus.Core.Inventory;

public sealed class InventoryOptions
{
    public const string Section = "Inventory";

    /// <summary>Largest accepted upload.</summary>
    [Range(1024, 1L << 32)]
    public long MaxUploadBytes { get; set; } = 100L * 1024 * 1024;

    /// <summary>Data rows beyond this fail the file.</summary>
    [Range(1, 20_000_000)]
    public int MaxRows { get; set; } = 2_000_000;

    /// <summary>Longest CSV record; a longer one fails the file instead of growing memory.</summary>
    [Range(1024, 64 * 1024 * 1024)]
    public int MaxRecordBytes { get; set; } = 1024 * 1024;

    /// <summary>Zip-bomb guard for xlsx: total declared uncompressed size of all entries.</summary>
    [Range(1024, 1L << 40)]
    public long MaxXlsxUncompressedBytes { get; set; } = 1024L * 1024 * 1024;

    [Range(1, 100_000)]
    public int MaxXlsxEntries { get; set; } = 2_000;

    /// <summary>A claim whose heartbeat is older than this may be taken over by a redelivered message.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan ClaimTimeout { get; set; } = TimeSpan.FromMinutes(2);

    [Range(typeof(TimeSpan), "00:00:00.100", "00:10:00")]
    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>rows_processed is written every this many rows while parsing.</summary>
    [Range(100, 10_000_000)]
    public int ProgressEveryRows { get; set; } = 50_000;

    /// <summary>
    /// Uploads with at least this many rows to match (new or changed) collect the catalog parts of their numbers in one pass
    /// over the catalog and rank only the rows whose number more than one part uses; fewer rows all go through the per-row
    /// ranking of candidates by brand. Both give the same result; this only chooses the cheaper plan.
    /// </summary>
    [Range(0, int.MaxValue)]
    public int FastMatchMinRows { get; set; } = 100_000;

    /// <summary>
    /// The share of the time an upload's parse and COPY may take while the process is serving requests (see
    /// <see cref="Workers.BackgroundPacing"/>); 1 never gives way. With no request running an upload goes flat out.
    /// bench/load's mixed reads beside back-to-back 100,000-row uploads, 60 s each on one data set: share 1 2,025 req/s,
    /// p99 73 ms; 0.25 2,508 req/s, p99 63 ms (an unchanged re-upload 2.4 s → 3.5-4 s); 0.1 2,765 req/s, p99 64 ms, but
    /// re-uploads of 5-17 s. What is left of the p99 is the apply's statements, which are not paced.
    /// </summary>
    [Range(0.01, 1.0)]
    public double ShareWhileBusy { get; set; } = 0.25;

    /// <summary>Rejected rows kept per upload (the counts stay exact beyond it).</summary>
    [Range(0, 10_000_000)]
    public int MaxStoredErrors { get; set; } = 100_000;

    /// <summary>How long the create-only SAS URL of a requested upload stays valid.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "01:00:00")]
    public TimeSpan UploadUrlLifetime { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Largest sample file the mapping preview reads (a longer CSV is cut; a larger xlsx is refused).</summary>
    [Range(1024, 64L * 1024 * 1024)]
    public long MaxPreviewBytes { get; set; } = 5L * 1024 * 1024;

    /// <summary>
    /// Uploads of one bodega that may be in flight at once (ASVS 5.2.4): processing, or pending and requested within
    /// <see cref="ActiveUploadWindow"/> (a pending one older than that is an abandoned ticket or stuck behind the queue).
    /// </summary>
    [Range(1, 1000)]
    public int MaxActiveUploads { get; set; } = 10;

    [Range(typeof(TimeSpan), "00:01:00", "1.00:00:00")]
    public TimeSpan ActiveUploadWindow { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Uploads one bodega may request within an hour, whatever became of them (ASVS 2.4.1, 5.2.4).</summary>
    [Range(1, 100_000)]
    public int MaxUploadsPerHour { get; set; } = 60;

    /// <summary>Mapping previews one user may ask for per minute (each reads up to <see cref="MaxPreviewBytes"/>; ASVS 2.4.1).</summary>
    [Range(1, 10_000)]
    public int MaxPreviewsPerMinute { get; set; } = 20;

    /// <summary>Data rows the mapping preview returns after the header row.</summary>
    [Range(1, 200)]
    public int PreviewRows { get; set; } = 20;
}
