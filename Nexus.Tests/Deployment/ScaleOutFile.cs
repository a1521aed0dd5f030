using System.Text;

namespace Nexus.Tests.Deployment;

/// <summary>
/// One generated inventory file of the scale-out test: a few hundred rows of known OEM parts at a location of its own
/// (so no two files share a row and a second processing would show as unchanged rows), plus rows that must be rejected.
/// </summary>
public sealed record ScaleOutFile(string FileName, byte[] Content, string Location, IReadOnlyList<string> ValidParts, int RejectedRows)
{
    public const string Header = "PARTE,PRECIO,EXISTENCIAS,SUCURSAL";

    public int Rows => ValidParts.Count + RejectedRows;

    /// <param name="parts">OEM numbers that name exactly one part each.</param>
    public static ScaleOutFile Create(int bodega, int upload, IReadOnlyList<string> parts)
    {
        // Sizes differ from file to file, so that counts crossed between uploads cannot agree by chance.
        var validRows = 200 + (upload * 37 + bodega * 11) % 90;
        var first = (bodega * 1_009 + upload * 211) % parts.Count;
        var valid = Enumerable.Range(0, validRows).Select(i => parts[(first + i) % parts.Count]).ToList();
        var location = $"B{bodega}-U{upload:00}";

        var csv = new StringBuilder(Header).Append('\n');
        for (var i = 0; i < valid.Count; i++)
        {
            csv.Append($"{valid[i]},{100 + i}.50,{1 + i % 40},{location}\n");
        }
        csv.Append($"NO-EXISTE-{bodega}-{upload},10,1,{location}\n");
        csv.Append($"PRECIO-MALO-{bodega}-{upload},precio?,1,{location}\n");
        return new ScaleOutFile($"inventario-{bodega}-{upload:00}.csv", Encoding.UTF8.GetBytes(csv.ToString()), location, valid, RejectedRows: 2);
    }
}
