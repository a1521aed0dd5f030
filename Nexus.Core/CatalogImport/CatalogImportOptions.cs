using System.ComponentModel.DataAnnotations;

namespace Nexus.Core.CatalogImport;

public sealed class CatalogImportOptions
{
    public const string Section = "CatalogImport";

    /// <summary>Largest accepted article feed.</summary>
    [Range(1024, 1L << 32)]
    public long MaxUploadBytes { get; set; } = 200L * 1024 * 1024;

    /// <summary>Data rows beyond this fail the file.</summary>
    [Range(1, 20_000_000)]
    public int MaxRows { get; set; } = 2_000_000;

    /// <summary>Longest CSV record; a longer one fails the file instead of growing memory.</summary>
    [Range(1024, 64 * 1024 * 1024)]
    public int MaxRecordBytes { get; set; } = 1024 * 1024;

    /// <summary>A claim whose heartbeat is older than this may be taken over by a redelivered message.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan ClaimTimeout { get; set; } = TimeSpan.FromMinutes(2);

    [Range(typeof(TimeSpan), "00:00:00.100", "00:10:00")]
    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>rows_processed is written every this many rows while parsing.</summary>
    [Range(100, 10_000_000)]
    public int ProgressEveryRows { get; set; } = 50_000;

    /// <summary>Problems kept per import (the counts stay exact beyond it).</summary>
    [Range(0, 10_000_000)]
    public int MaxStoredProblems { get; set; } = 100_000;
}
