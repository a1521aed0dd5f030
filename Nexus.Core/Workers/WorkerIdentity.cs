namespace Nexus.Core.Workers;

/// <summary>
/// This process among the workers that compete for the queues (Functions instances, Container Apps replicas, test hosts):
/// stored as processed_by on the uploads and migration batches it takes. The host name and process id say where to look;
/// the start id tells two lives of the same process id apart.
/// </summary>
public sealed record WorkerIdentity(string Name)
{
    public const int MaxNameLength = 100;

    /// <summary>"{name}/{process id}/{start id}"; name defaults to the machine name (a replica's or instance's host name).</summary>
    public static WorkerIdentity ForThisProcess(string? name)
    {
        var host = string.IsNullOrWhiteSpace(name) ? Environment.MachineName : name.Trim();
        var start = Guid.NewGuid().ToString("N")[..12];
        return new WorkerIdentity($"{host}/{Environment.ProcessId}/{start}");
    }

    public override string ToString() => Name;
}
