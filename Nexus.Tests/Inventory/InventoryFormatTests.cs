using System.Text;
using MiniExcelLibs;
using Nexus.Core.Inventory;

namespace Nexus.Tests.Inventory;

/// <summary>Files as bodegas produce them: delimiters, encodings, quoting, Excel, and mappings by header or letter.</summary>
public sealed class InventoryFormatTests(InventoryTestContext context) : IClassFixture<InventoryTestContext>
{
    private static readonly InventoryColumnMapping Spanish = new()
    {
        PartNumber = "NUM_PARTE", Price = "PRECIO_VENTA", Stock = "EXISTENCIAS", Location = "SUCURSAL",
    };

    [Fact]
    public async Task Comma_separated_utf8_file_is_imported_with_normalized_part_numbers()
    {
        var bodega = await context.CreateBodegaAsync();
        var (outcome, upload) = await context.ImportCsvAsync(bodega,
            "NUM_PARTE,PRECIO_VENTA,EXISTENCIAS,SUCURSAL\nabc123,450.00,12,Guadalajara\nXYZ-789,\"$1,234.50\",3,Monterrey\n", mapping: Spanish);

        Assert.Equal(InventoryUploadOutcome.Completed, outcome);
        Assert.Equal(("completed", 2, 2, 0), (upload.Status, upload.RowsTotal, upload.RowsImported, upload.RowsErrors));
        var items = await context.ItemsAsync(bodega);
        Assert.Equal([(1, 450.00m, 12, "Guadalajara"), (2, 1234.50m, 3, "Monterrey")],
            items.Select(i => (i.PartId!.Value, i.Price, i.StockQuantity, i.WarehouseLocation)));
    }

    [Fact]
    public async Task Semicolon_windows_1252_file_with_european_numbers_keeps_its_accents()
    {
        var bodega = await context.CreateBodegaAsync();
        var csv = "NUM_PARTE;PRECIO_VENTA;EXISTENCIAS;SUCURSAL\nABC-123;1.234,50;12,0;Almacén Ñuñoa\nXYZ789;99,5;1;Almacén Ñuñoa\n";
        var (_, upload) = await context.ImportAsync(bodega, "inv.csv", CsvSheetReader.Windows1252.GetBytes(csv), mapping: Spanish);

        Assert.Equal("completed", upload.Status);
        var items = await context.ItemsAsync(bodega);
        Assert.Equal([(1234.50m, 12, "Almacén Ñuñoa"), (99.50m, 1, "Almacén Ñuñoa")], items.Select(i => (i.Price, i.StockQuantity, i.WarehouseLocation)));
    }

    [Theory]
    [InlineData("utf-8-bom", ",")]
    [InlineData("utf-16le", "\t")]
    [InlineData("utf-16be", "|")]
    [InlineData("utf-8", ";")]
    public async Task Encodings_with_byte_order_marks_and_every_delimiter_are_read(string encodingName, string delimiter)
    {
        var bodega = await context.CreateBodegaAsync();
        Encoding encoding = encodingName switch
        {
            "utf-8-bom" => new UTF8Encoding(true),
            "utf-16le" => new UnicodeEncoding(false, true),
            "utf-16be" => new UnicodeEncoding(true, true),
            _ => new UTF8Encoding(false),
        };
        var csv = string.Join(delimiter, "Número de Parte", "Precio", "Existencias", "Almacén") + "\n"
                + string.Join(delimiter, "ABC-123", "10.5", "7", "Querétaro") + "\n";
        var bytes = encoding.GetPreamble().Concat(encoding.GetBytes(csv)).ToArray();
        var mapping = new InventoryColumnMapping { PartNumber = "NUMERO DE PARTE", Price = "precio", Stock = "EXISTENCIAS", Location = "almacen" };

        var (_, upload) = await context.ImportAsync(bodega, "inv.txt", bytes, mapping: mapping);

        Assert.Equal(("completed", 1), (upload.Status, upload.RowsImported));
        Assert.Equal((10.50m, 7, "Querétaro"), (await context.ItemsAsync(bodega)).Select(i => (i.Price, i.StockQuantity, i.WarehouseLocation)).Single());
    }

    [Fact]
    public async Task Quoted_fields_may_hold_delimiters_quotes_and_newlines()
    {
        var bodega = await context.CreateBodegaAsync();
        var csv = "NUM_PARTE,PRECIO_VENTA,EXISTENCIAS,SUCURSAL\n\"ABC-123\",\"1,000.00\",5,\"Centro, \"\"nave\"\" 2\nandén 3\"\nXYZ789,20,1,Norte\n";
        var (_, upload) = await context.ImportCsvAsync(bodega, csv, mapping: Spanish);

        Assert.Equal(("completed", 2), (upload.Status, upload.RowsImported));
        var items = await context.ItemsAsync(bodega);
        Assert.Contains(items, i => i.WarehouseLocation == "Centro, \"nave\" 2\nandén 3" && i.Price == 1000m);
    }

    [Fact]
    public async Task Columns_can_be_named_by_letter_and_location_defaults()
    {
        var bodega = await context.CreateBodegaAsync();
        var mapping = new InventoryColumnMapping { PartNumber = "COLUMNA_A", Price = "c", Stock = "B", DefaultLocation = "Matriz" };
        var (_, upload) = await context.ImportCsvAsync(bodega, "x,y,z\nABC-123,4,150\n", mapping: mapping);

        Assert.Equal("completed", upload.Status);
        Assert.Equal((150m, 4, "Matriz"), (await context.ItemsAsync(bodega)).Select(i => (i.Price, i.StockQuantity, i.WarehouseLocation)).Single());
    }

    [Fact]
    public async Task Without_a_saved_mapping_the_headers_are_recognised()
    {
        var bodega = await context.CreateBodegaAsync();
        var (_, upload) = await context.ImportCsvAsync(bodega, "No. de parte,Precio,Stock,Sucursal,Marca\nABC-123,10,1,Centro,Toyota\n");

        Assert.Equal(("completed", 1), (upload.Status, upload.RowsImported));
    }

    [Fact]
    public async Task Xlsx_is_read_from_the_named_sheet_below_a_title_row_with_typed_numbers()
    {
        var bodega = await context.CreateBodegaAsync();
        var rows = new List<Dictionary<string, object?>>
        {
            new() { ["A"] = "Inventario noviembre", ["B"] = null, ["C"] = null, ["D"] = null },
            new() { ["A"] = "CÓDIGO", ["B"] = "PRECIO", ["C"] = "CANTIDAD", ["D"] = "UBICACIÓN" },
            new() { ["A"] = "ABC-123", ["B"] = 1.234, ["C"] = 12d, ["D"] = "Centro" },
            new() { ["A"] = "XYZ 789", ["B"] = "1.234,50", ["C"] = "3", ["D"] = "Centro" },
        };
        using var file = new MemoryStream();
        file.SaveAs(rows, printHeader: false, sheetName: "Existencias");
        var mapping = new InventoryColumnMapping { PartNumber = "codigo", Price = "Precio", Stock = "cantidad", Location = "ubicacion", HeaderRow = 2, Sheet = "existencias" };

        var (_, upload) = await context.ImportAsync(bodega, "inventario.xlsx", file.ToArray(), mapping: mapping);

        Assert.Equal(("completed", 2, 0), (upload.Status, upload.RowsImported, upload.RowsErrors));
        Assert.Equal([(1.23m, 12), (1234.50m, 3)], (await context.ItemsAsync(bodega)).Select(i => (i.Price, i.StockQuantity)));
    }

    [Fact]
    public async Task Missing_mapped_columns_fail_the_upload_naming_them()
    {
        var bodega = await context.CreateBodegaAsync();
        var (outcome, upload) = await context.ImportCsvAsync(bodega, "NUM_PARTE,PRECIO\nABC-123,10\n", mapping: Spanish);

        Assert.Equal(InventoryUploadOutcome.Failed, outcome);
        Assert.Equal("failed", upload.Status);
        Assert.Contains("\"PRECIO_VENTA\" (precio)", upload.ErrorLog);
        Assert.Contains("\"EXISTENCIAS\" (existencias)", upload.ErrorLog);
        Assert.Contains("\"SUCURSAL\" (ubicación)", upload.ErrorLog);
        Assert.Empty(await context.ItemsAsync(bodega));
    }
}
