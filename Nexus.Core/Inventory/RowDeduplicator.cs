namespace Nexus.Core.Inventory;

/// <summary>
/// Finds, while the file streams by, the rows that a later row of the same part number, brand and location replaces
/// (the last one wins). Rows with the same key always resolve to the same part, so the database never has to sort the
/// whole file to find them; rows that differ only in how they name the brand are left to <see cref="InventoryApply"/>.
/// Keeps one small entry per distinct key: brands and locations are interned to numbers.
/// </summary>
public sealed class RowDeduplicator
{
    private readonly record struct Key(string Norm, int Brand, int Location);

    private readonly Dictionary<Key, int> _lastRow = [];
    private readonly Dictionary<string, int> _names = new(StringComparer.Ordinal) { [""] = 0 };
    private readonly List<(int Row, Key Key)> _superseded = [];

    public void Add(InventoryRow row)
    {
        var key = new Key(row.PartNumberNorm, row.Brand is null ? -1 : Intern(row.Brand), Intern(row.Location));
        if (_lastRow.TryGetValue(key, out var previous))
        {
            _superseded.Add((previous, key));
        }
        _lastRow[key] = row.RowNumber;
    }

    /// <summary>Each replaced row with the row that finally replaces it, in file order.</summary>
    public (int[] Rows, int[] Winners) Superseded()
    {
        var rows = new int[_superseded.Count];
        var winners = new int[_superseded.Count];
        for (var i = 0; i < rows.Length; i++)
        {
            rows[i] = _superseded[i].Row;
            winners[i] = _lastRow[_superseded[i].Key];
        }
        Array.Sort(rows, winners);
        return (rows, winners);
    }

    private int Intern(string name)
    {
        if (!_names.TryGetValue(name, out var id))
        {
            id = _names.Count;
            _names[name] = id;
        }
        return id;
    }
}
