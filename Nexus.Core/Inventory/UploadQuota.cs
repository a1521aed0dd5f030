namespace Nexus.Core.Inventory;

/// <summary>How many uploads one bodega may have in flight and request per hour (ASVS 5.2.4, 2.4.1).</summary>
public sealed record UploadQuota(int MaxActive, TimeSpan ActiveWindow, int MaxPerHour)
{
    public static UploadQuota From(InventoryOptions options) => new(options.MaxActiveUploads, options.ActiveUploadWindow, options.MaxUploadsPerHour);
}

/// <summary>A new upload would exceed the bodega's <see cref="UploadQuota"/>; nothing was recorded or stored.</summary>
public sealed class UploadQuotaExceededException(string title, string message, TimeSpan retryAfter) : Exception(message)
{
    public string Title { get; } = title;

    public TimeSpan RetryAfter { get; } = retryAfter;
}
