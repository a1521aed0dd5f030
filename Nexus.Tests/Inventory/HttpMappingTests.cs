using System.Net;
using System.Net.Http.Json;
using System.Text;
using MiniExcelLibs;
using Nexus.Tests.Infrastructure;

namespace Nexus.Tests.Inventory;

/// <summary>The saved column mapping (GET/PUT with field errors) and the preview of a sample file.</summary>
public sealed class HttpMappingTests(HttpInventoryFixture fixture) : IClassFixture<HttpInventoryFixture>
{
    [Fact]
    public async Task Mapping_is_404_until_saved_then_round_trips_with_optional_fields()
    {
        var (_, client) = await fixture.BodegaAsync();
        await ProblemAssert.IsProblemAsync(await client.GetAsync("/api/inventory/mapping"), HttpStatusCode.NotFound);

        var mapping = new
        {
            part_number = "COLUMNA_A", price = "PRECIO_VENTA", stock = "EXISTENCIAS", location = "SUCURSAL",
            min_order_quantity = "MINIMO", brand = "MARCA", header_row = 3, sheet = "Existencias", default_location = "Matriz",
        };
        var put = await client.PutAsJsonAsync("/api/inventory/mapping", mapping);
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);

        var saved = await (await client.GetAsync("/api/inventory/mapping")).JsonAsync();
        var body = saved["mapping"]!;
        Assert.Equal(("COLUMNA_A", "PRECIO_VENTA", "EXISTENCIAS", "SUCURSAL"), (body["part_number"]!.GetValue<string>(), body["price"]!.GetValue<string>(),
            body["stock"]!.GetValue<string>(), body["location"]!.GetValue<string>()));
        Assert.Equal(("MINIMO", "MARCA", 3, "Existencias", "Matriz"), (body["min_order_quantity"]!.GetValue<string>(), body["brand"]!.GetValue<string>(),
            body["header_row"]!.GetValue<int>(), body["sheet"]!.GetValue<string>(), body["default_location"]!.GetValue<string>()));
        Assert.NotNull(saved["updated_at"]);

        // Saving again replaces it: fields left out are gone.
        Assert.Equal(HttpStatusCode.OK, (await client.PutAsJsonAsync("/api/inventory/mapping", new { part_number = "A", price = "B", stock = "C" })).StatusCode);
        var replaced = (await (await client.GetAsync("/api/inventory/mapping")).JsonAsync())["mapping"]!;
        Assert.Equal(("A", 1), (replaced["part_number"]!.GetValue<string>(), replaced["header_row"]!.GetValue<int>()));
        Assert.Null(replaced["location"]);
    }

    [Theory]
    [InlineData("""{"price": "B", "stock": "C"}""", "part_number")]
    [InlineData("""{"part_number": "A", "stock": "C"}""", "price")]
    [InlineData("""{"part_number": "A", "price": "B"}""", "stock")]
    [InlineData("""{"part_number": "A", "price": "B", "stock": "  "}""", "stock")]
    [InlineData("""{"part_number": "COLUMNA_1", "price": "B", "stock": "C"}""", "part_number")]
    [InlineData("""{"part_number": "A", "price": "COLUMNA_ZZZZ", "stock": "C"}""", "price")]
    [InlineData("""{"part_number": "A", "price": "B", "stock": "COLUMN_XFE"}""", "stock")]
    [InlineData("""{"part_number": "A", "price": "B", "stock": "C", "location": "COLUMNA_A"}""", "location")]
    [InlineData("""{"part_number": "NUM_PARTE", "price": "B", "stock": "num parte"}""", "stock")]
    [InlineData("""{"part_number": "A", "price": 2, "stock": "C"}""", "price")]
    [InlineData("""{"part_number": "A", "price": "B", "stock": "C", "header_row": 0}""", "header_row")]
    [InlineData("""{"part_number": "A", "price": "B", "stock": "C", "header_row": "2"}""", "header_row")]
    [InlineData("""{"part_number": "A", "price": "B", "stock": "C", "partnumber": "A"}""", "partnumber")]
    [InlineData("""["A", "B", "C"]""", "mapping")]
    [InlineData("""{"part_number": "A", "price""", "mapping")]
    public async Task Bad_mappings_get_field_errors_and_nothing_is_saved(string json, string field)
    {
        var (_, client) = await fixture.BodegaAsync();
        var response = await client.PutAsync("/api/inventory/mapping", new StringContent(json, Encoding.UTF8, "application/json"));
        await ProblemAssert.IsValidationProblemAsync(response, field);
        await ProblemAssert.IsProblemAsync(await client.GetAsync("/api/inventory/mapping"), HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Column_letters_up_to_xfd_are_accepted()
    {
        var (_, client) = await fixture.BodegaAsync();
        var response = await client.PutAsJsonAsync("/api/inventory/mapping", new { part_number = "a", price = "COLUMNA_XFD", stock = "Col AB" });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task A_bodega_never_sees_another_bodegas_mapping()
    {
        var (_, first) = await fixture.BodegaWithMappingAsync();
        var (_, second) = await fixture.BodegaAsync();
        await ProblemAssert.IsProblemAsync(await second.GetAsync("/api/inventory/mapping"), HttpStatusCode.NotFound);
        Assert.Equal(HttpStatusCode.OK, (await second.PutAsJsonAsync("/api/inventory/mapping", new { part_number = "X", price = "Y", stock = "Z" })).StatusCode);
        var mine = (await (await first.GetAsync("/api/inventory/mapping")).JsonAsync())["mapping"]!;
        Assert.Equal("PARTE", mine["part_number"]!.GetValue<string>());
    }

    [Fact]
    public async Task Preview_of_a_spanish_csv_suggests_the_mapping_and_shows_the_first_rows()
    {
        var (_, client) = await fixture.BodegaAsync();
        var csv = "NUM_PARTE;DESCRIPCIÓN;PRECIO_VENTA;EXISTENCIAS;SUCURSAL\n"
            + string.Concat(Enumerable.Range(1, 30).Select(i => $"P-{i};Balata núm {i};{i}0,50;{i};Centro\n"));
        using var form = HttpInventoryFixture.FileForm("muestra.csv", Encoding.Latin1.GetBytes(csv));

        var response = await client.PostAsync("/api/inventory/mapping/preview", form);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var preview = await response.JsonAsync();
        var suggested = preview["suggested_mapping"]!;
        Assert.Equal(("NUM_PARTE", "PRECIO_VENTA", "EXISTENCIAS", "SUCURSAL"), (suggested["part_number"]!.GetValue<string>(),
            suggested["price"]!.GetValue<string>(), suggested["stock"]!.GetValue<string>(), suggested["location"]!.GetValue<string>()));
        Assert.Equal(";", preview["delimiter"]!.GetValue<string>());
        Assert.Equal("windows-1252", preview["encoding"]!.GetValue<string>());
        Assert.Equal(["A", "B", "C", "D", "E"], preview["columns"]!.AsArray().Select(c => c!["letter"]!.GetValue<string>()));
        Assert.Equal("DESCRIPCIÓN", preview["columns"]![1]!["header"]!.GetValue<string>());
        Assert.Equal(5, preview["rows"]!.AsArray().Count); // Inventory:PreviewRows in the fixture
        Assert.Equal("Balata núm 1", preview["rows"]![0]![1]!.GetValue<string>());
        Assert.Empty(preview["sheet_names"]!.AsArray());
    }

    [Fact]
    public async Task Preview_of_an_xlsx_lists_sheets_and_reads_the_chosen_sheet_and_header_row()
    {
        var (_, client) = await fixture.BodegaAsync();
        using var workbook = new MemoryStream();
        var sheets = new Dictionary<string, object>
        {
            ["Portada"] = new[] { new Dictionary<string, object> { ["A"] = "Inventario" } },
            ["Existencias"] = new[]
            {
                new Dictionary<string, object> { ["A"] = "Reporte", ["B"] = "", ["C"] = "" },
                new Dictionary<string, object> { ["A"] = "No. de Parte", ["B"] = "Precio", ["C"] = "Existencia" },
                new Dictionary<string, object> { ["A"] = "ABC-123", ["B"] = 450.5, ["C"] = 12 },
            },
        };
        workbook.SaveAs(sheets, printHeader: false);
        using var form = HttpInventoryFixture.FileForm("inventario.xlsx", workbook.ToArray());

        var preview = await (await client.PostAsync("/api/inventory/mapping/preview?sheet=Existencias&header_row=2", form)).JsonAsync();

        Assert.Equal(["Portada", "Existencias"], preview["sheet_names"]!.AsArray().Select(s => s!.GetValue<string>()));
        var suggested = preview["suggested_mapping"]!;
        Assert.Equal(("No. de Parte", "Precio", "Existencia", 2), (suggested["part_number"]!.GetValue<string>(), suggested["price"]!.GetValue<string>(),
            suggested["stock"]!.GetValue<string>(), suggested["header_row"]!.GetValue<int>()));
        Assert.Equal(["ABC-123", "450.5", "12"], preview["rows"]![0]!.AsArray().Select(c => c!.GetValue<string>()));
        Assert.Null(preview["delimiter"]);
    }

    [Fact]
    public async Task Preview_refuses_xls_garbage_and_a_workbook_over_the_cap_but_reads_the_head_of_a_long_csv()
    {
        var (_, client) = await fixture.BodegaAsync();
        using (var xls = HttpInventoryFixture.FileForm("viejo.xls", [0xD0, 0xCF, 0x11, 0xE0]))
        {
            await ProblemAssert.IsValidationProblemAsync(await client.PostAsync("/api/inventory/mapping/preview", xls), "file");
        }
        using (var binary = HttpInventoryFixture.FileForm("datos.csv", [0x00, 0x01, 0x02, 0x03, 0x50]))
        {
            var problem = await ProblemAssert.IsProblemAsync(await client.PostAsync("/api/inventory/mapping/preview", binary), HttpStatusCode.BadRequest);
            Assert.Contains("CSV", problem["detail"]!.GetValue<string>());
        }
        var bigWorkbook = new byte[HttpInventoryFixture.MaxPreviewBytes + 10];
        "PK\u0003\u0004"u8.CopyTo(bigWorkbook);
        using (var big = HttpInventoryFixture.FileForm("grande.xlsx", bigWorkbook))
        {
            await ProblemAssert.IsProblemAsync(await client.PostAsync("/api/inventory/mapping/preview", big), HttpStatusCode.RequestEntityTooLarge);
        }
        var longCsv = "NUM_PARTE,PRECIO,EXISTENCIAS\n" + string.Concat(Enumerable.Repeat("ABC-123,10,1\n", 5000));
        using (var head = HttpInventoryFixture.FileForm("largo.csv", Encoding.UTF8.GetBytes(longCsv)))
        {
            var preview = await (await client.PostAsync("/api/inventory/mapping/preview", head)).JsonAsync();
            Assert.True(preview["truncated"]!.GetValue<bool>());
            Assert.Equal("NUM_PARTE", preview["suggested_mapping"]!["part_number"]!.GetValue<string>());
        }
        await ProblemAssert.IsValidationProblemAsync(await client.PostAsync("/api/inventory/mapping/preview?header_row=0",
            HttpInventoryFixture.FileForm("a.csv", "A\n"u8.ToArray())), "header_row");
    }
}
