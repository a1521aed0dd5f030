namespace Nexus.Core.Aftermarket;

public static class RunStatus
{
    public const string Planned = "planned";
    public const string Running = "running";
    public const string Completed = "completed";
    public const string Failed = "failed";
    public const string Reverted = "reverted";
}

public static class BatchStatus
{
    public const string Pending = "pending";
    public const string Running = "running";
    public const string Completed = "completed";
    public const string Failed = "failed";
}

public static class ItemOutcome
{
    public const string Migrated = "migrated";
    public const string Unresolved = "unresolved";
    public const string Failed = "failed";
}

/// <summary>One migration run as stored in aftermarket_migration_runs.</summary>
public sealed record MigrationRun(
    long Id,
    string Status,
    bool DryRun,
    int BatchSize,
    int Total,
    int Migrated,
    int Unresolved,
    int Failed,
    int BatchesTotal,
    int BatchesDone,
    int? CreatedBy,
    DateTime CreatedAt,
    DateTime? StartedAt,
    DateTime? CompletedAt,
    DateTime? RevertedAt);

/// <summary>One batch of a run: an id range over the AFT parts, with its progress and the worker that took it.</summary>
public sealed record MigrationBatch(
    int BatchNo,
    int IdFrom,
    int IdTo,
    int PlannedParts,
    string Status,
    int Attempts,
    int? Parts,
    int Migrated,
    int Unresolved,
    int Failed,
    DateTime? StartedAt,
    DateTime? CompletedAt,
    string? Error,
    string? ProcessedBy);

public sealed record MigrationRunDetails(MigrationRun Run, IReadOnlyList<MigrationBatch> Batches);

/// <summary>The queue message of one batch: a reference, never the data.</summary>
public sealed record MigrationBatchMessage(long RunId, int BatchNo);

/// <summary>An AFT part that the run could not migrate, for the report.</summary>
public sealed record MigrationReportRow(
    int PartId,
    string AftPartNumber,
    string Outcome,
    string? ArticleNumber,
    string? Manufacturer,
    string? Reason);

/// <summary>What one batch did (or, in a dry run, would do).</summary>
public sealed record BatchOutcome(bool Processed, int Parts, int Migrated, int Unresolved, bool RunFinished, string? RunStatus);
