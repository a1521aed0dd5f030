namespace Nexus.Core.Inventory;

/// <summary>Guesses a mapping from the header row, for the preview and for bodegas without a saved mapping.</summary>
public static class HeaderSuggestions
{
    // Normalized (HeaderText.Normalize) names, best first. COSTO is a last resort for price: cost is not the sale price.
    private static readonly string[] PartNumber = ["NUM PARTE", "NO DE PARTE", "NUMERO DE PARTE", "NUM DE PARTE", "NO PARTE", "NUMERO PARTE", "N PARTE", "PART NUMBER", "PART NO", "PARTNUMBER", "PART", "CODIGO", "CLAVE", "SKU", "NUMERO"];
    private static readonly string[] Price = ["PRECIO", "PRECIO VENTA", "PRECIO DE VENTA", "PRECIO PUBLICO", "PRECIO UNITARIO", "PRICE", "UNIT PRICE", "COSTO", "COST"];
    private static readonly string[] Stock = ["EXISTENCIAS", "EXISTENCIA", "STOCK", "CANTIDAD", "QTY", "QUANTITY", "INVENTARIO", "DISPONIBLE"];
    private static readonly string[] Location = ["SUCURSAL", "ALMACEN", "UBICACION", "LOCATION", "BODEGA", "WAREHOUSE"];
    private static readonly string[] Brand = ["MARCA", "BRAND", "FABRICANTE", "MANUFACTURER"];
    private static readonly string[] MinOrder = ["MINIMO", "MIN ORDER", "MINIMO DE COMPRA", "PEDIDO MINIMO", "COMPRA MINIMA", "MIN ORDER QTY", "MOQ"];

    /// <summary>A mapping naming the headers as written in the file; fields it cannot guess stay empty.</summary>
    public static InventoryColumnMapping Suggest(IReadOnlyList<string> headers, int headerRow = 1)
    {
        var normalized = headers.Select(HeaderText.Normalize).ToArray();
        var used = new HashSet<int>();
        string? Pick(string[] names)
        {
            foreach (var name in names)
            {
                for (var i = 0; i < normalized.Length; i++)
                {
                    if (!used.Contains(i) && normalized[i] == name)
                    {
                        used.Add(i);
                        return headers[i].Trim();
                    }
                }
            }
            // "PRECIO LISTA 2024", "EXISTENCIA TOTAL": a header that starts with a known name.
            foreach (var name in names)
            {
                for (var i = 0; i < normalized.Length; i++)
                {
                    if (!used.Contains(i) && normalized[i].StartsWith(name + " ", StringComparison.Ordinal))
                    {
                        used.Add(i);
                        return headers[i].Trim();
                    }
                }
            }
            return null;
        }
        return new InventoryColumnMapping
        {
            PartNumber = Pick(PartNumber) ?? "",
            Price = Pick(Price) ?? "",
            Stock = Pick(Stock) ?? "",
            Location = Pick(Location),
            Brand = Pick(Brand),
            MinOrderQuantity = Pick(MinOrder),
            HeaderRow = headerRow,
        };
    }
}
