using System.Runtime.InteropServices;

namespace Nexus.Core.Inventory;

/// <summary>
/// Finds, while the file streams by, the rows that may be replaced by a later row of the same part number, brand and
/// location (the last one wins): it keeps only a 32-bit hash of each key with the last row that had it, so a 1M-row file
/// costs ~16-32 MB here instead of a dictionary of the keys themselves (~86 MB, measured). Every row whose hash an
/// earlier row had is a suspect, and so is that earlier row; rows of one key share their hash, so each row of a repeated
/// key ends up a suspect. <see cref="InventoryStaging"/> then settles the suspects exactly in the database (a hash
/// collision only adds a few suspects, ~100 per million rows). Rows with the same key always resolve to the same part,
/// so the database never has to sort the whole file to find them; rows that differ only in how they name the brand are
/// left to <see cref="InventoryApply"/>.
/// </summary>
/// <param name="hash">The key's hash; tests give a worse one to make keys collide.</param>
public sealed class RowDeduplicator(Func<InventoryRow, int>? hash = null)
{
    private readonly Dictionary<int, int> _lastRow = [];
    private readonly HashSet<int> _suspects = [];
    private readonly Func<InventoryRow, int> _hash = hash ?? KeyHash;

    private static int KeyHash(InventoryRow row) => HashCode.Combine(row.PartNumberNorm, row.Brand, row.Location);

    public void Add(InventoryRow row)
    {
        var hash = _hash(row);
        ref var last = ref CollectionsMarshal.GetValueRefOrAddDefault(_lastRow, hash, out var seen);
        if (seen)
        {
            _suspects.Add(last);
            _suspects.Add(row.RowNumber);
        }
        last = row.RowNumber;
    }

    /// <summary>The rows that may share their key with another row, sorted.</summary>
    public int[] Suspects()
    {
        var suspects = _suspects.ToArray();
        Array.Sort(suspects);
        return suspects;
    }
}
