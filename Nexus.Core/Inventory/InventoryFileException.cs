namespace Nexus.Core.Inventory;

/// <summary>The file as a whole cannot be imported; the message is shown to the bodega as is.</summary>
public sealed class InventoryFileException(string message) : Exception(message);
