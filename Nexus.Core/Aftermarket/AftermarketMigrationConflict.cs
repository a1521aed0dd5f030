namespace Nexus.Core.Aftermarket;

/// <summary>The request does not fit the run's current state (another run active, nothing to retry, not revertable...).</summary>
public sealed class AftermarketMigrationConflict(string message) : Exception(message);
