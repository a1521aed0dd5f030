using System.ComponentModel.DataAnnotations;

namespace Nexus.Functions.Hosting;

public enum QueueMessageBodyEncoding
{
    Base64,
    None,
}

/// <summary>
/// The queue-trigger settings of host.json (`extensions.queues`), overridable from the `Queues` section.
/// The Functions host applies the same file in custom-handler mode; the standalone listeners apply it themselves.
/// </summary>
public sealed class QueueHostOptions : IValidatableObject
{
    public const string Section = "Queues";
    public const string HostJsonSection = "extensions:queues";

    /// <summary>The shortest wait between polls of an empty queue; it doubles up to <see cref="MaxPollingInterval"/>.</summary>
    public static readonly TimeSpan MinPollingInterval = TimeSpan.FromMilliseconds(100);

    /// <summary>Messages fetched at once, and the most run concurrently by one listener.</summary>
    [Range(1, 32)]
    public int BatchSize { get; set; } = 16;

    /// <summary>A listener fetches again once fewer than this many messages are in flight.</summary>
    [Range(1, 32)]
    public int NewBatchThreshold { get; set; } = 8;

    /// <summary>Attempts before a message goes to `&lt;queue&gt;-poison`.</summary>
    [Range(1, 1000)]
    public int MaxDequeueCount { get; set; } = 5;

    /// <summary>How long a failed message stays invisible before its retry (whole seconds on the wire).</summary>
    public TimeSpan VisibilityTimeout { get; set; } = TimeSpan.Zero;

    public TimeSpan MaxPollingInterval { get; set; } = TimeSpan.FromMinutes(1);

    public QueueMessageBodyEncoding MessageEncoding { get; set; } = QueueMessageBodyEncoding.Base64;

    /// <summary>Standalone only: how long a received message stays invisible; renewed every <see cref="RenewInterval"/> while it runs.</summary>
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromSeconds(30);

    public TimeSpan RenewInterval { get; set; } = TimeSpan.FromSeconds(10);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        var maxVisibility = TimeSpan.FromDays(7);
        if (NewBatchThreshold > BatchSize)
        {
            yield return new ValidationResult("NewBatchThreshold must not exceed BatchSize.", [nameof(NewBatchThreshold)]);
        }
        if (VisibilityTimeout < TimeSpan.Zero || VisibilityTimeout > maxVisibility)
        {
            yield return new ValidationResult("VisibilityTimeout must be between 0 and 7 days.", [nameof(VisibilityTimeout)]);
        }
        if (MaxPollingInterval < MinPollingInterval)
        {
            yield return new ValidationResult("MaxPollingInterval must be at least 100 ms.", [nameof(MaxPollingInterval)]);
        }
        if (LeaseDuration < TimeSpan.FromSeconds(1) || LeaseDuration > maxVisibility)
        {
            yield return new ValidationResult("LeaseDuration must be between 1 second and 7 days.", [nameof(LeaseDuration)]);
        }
        if (RenewInterval <= TimeSpan.Zero || RenewInterval >= LeaseDuration)
        {
            yield return new ValidationResult("RenewInterval must be positive and shorter than LeaseDuration.", [nameof(RenewInterval)]);
        }
    }
}
