namespace Nexus.Core.Inventory;

/// <summary>A cell as read: its text, and its number when the file typed it as one (xlsx).</summary>
public readonly record struct SheetCell(string Text, decimal? Number)
{
    public static readonly SheetCell Empty = new("", null);
}

/// <summary>Forward-only rows of a CSV or a worksheet, without loading the file.</summary>
public abstract class SheetReader : IDisposable
{
    public abstract bool Read();

    /// <summary>1-based row as the bodega sees it (the line in a CSV, the row in Excel).</summary>
    public abstract int RowNumber { get; }

    public abstract int FieldCount { get; }

    /// <summary>The cell at a 0-based column; empty past the end of the row.</summary>
    public abstract SheetCell Cell(int index);

    public abstract void Dispose();
}
