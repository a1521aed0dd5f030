using System.Net;
using System.Text;
using Nexus.Tests.Infrastructure;
using static Nexus.Tests.Hostile.HostileFileCases;
using static Nexus.Tests.Hostile.HostileFiles;

namespace Nexus.Tests.Hostile;

/// <summary>Broken and hostile workbooks: damaged zips, zip bombs, XML entities, absurd sheet geometry, formulas and values.</summary>
public static class HostileXlsxCases
{
    private static readonly object?[][] TwoRows = [["ABC-123", 10, 1, "Centro"], ["XYZ 789", 20, 3, "Sur"]];

    private static readonly string ContentTypes = """<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>""";

    public static IEnumerable<HostileCase> All =>
    [
        new("xlsx_truncated", run =>
        {
            var whole = Xlsx(Sheet(TwoRows));
            return run.FailsAsync(HostileFile.Of("cortado.xlsx", whole[..(whole.Length * 3 / 5)]), "dañado");
        }),
        new("xlsx_only_a_local_zip_header", run => run.FailsAsync(HostileFile.Of("cabecera.xlsx", [0x50, 0x4B, 0x03, 0x04, 0x14, 0, 0, 0, 8, 0]), "dañado")),
        new("xlsx_zip_bomb", run => run.FailsAsync(HostileFile.Of("bomba.xlsx", ZipBomb(1, 32 * 1024 * 1024)), "descomprimido es demasiado grande")),
        new("xlsx_zip_bomb_of_parts_below_the_ratio_check", run => run.FailsAsync(
            HostileFile.Of("bombas.xlsx", ZipBomb(5, 15 * 1024 * 1024)), "descomprimido es demasiado grande")),
        new("xlsx_zip_whose_directory_understates_sizes", run =>
        {
            var sheet = Sheet(Enumerable.Range(0, 3000).Select(i => new object?[] { "ABC-123", 10, 1, "Centro" }));
            return run.FailsAsync(HostileFile.Of("mentira.xlsx", WithDeclaredSize(Xlsx(sheet), "xl/worksheets/sheet1.xml", 2000)), "dañado");
        }),
        new("xlsx_too_many_parts", run => run.FailsAsync(HostileFile.Of("partes.xlsx",
            Xlsx(Sheet(TwoRows), [.. Enumerable.Range(0, 2001).Select(i => ($"xl/media/p{i}.xml", "<p/>"))])), "demasiadas partes")),
        new("xlsx_entity_bomb_in_the_sheet", run => run.FailsAsync(HostileFile.Of("risas.xlsx",
            Xlsx(EntityBomb($"""<worksheet xmlns="{SpreadsheetNs}"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&lol9;</t></is></c></row></sheetData></worksheet>"""))),
            "DOCTYPE")),
        new("xlsx_external_entity_in_shared_strings", run => run.FailsAsync(HostileFile.Of("xxe.xlsx", Xlsx(
            Sheet([]) ,
            ("xl/sharedStrings.xml", $"""<?xml version="1.0"?><!DOCTYPE sst [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><sst xmlns="{SpreadsheetNs}"><si><t>&xxe;</t></si></sst>"""))),
            "DOCTYPE")),
        new("xlsx_doctype_after_a_long_comment", run => run.FailsAsync(HostileFile.Of("comentario.xlsx", Xlsx(
            "<?xml version=\"1.0\"?><!--" + new string('x', 10_000) + "-->"
            + EntityBomb($"""<worksheet xmlns="{SpreadsheetNs}"><sheetData/></worksheet>""")[22..])), "DOCTYPE")),
        new("xlsx_doctype_in_utf16_without_bom", run => run.FailsAsync(HostileFile.Of("utf16.xlsx", Zip(
            ("[Content_Types].xml", new MemoryStream(Encoding.UTF8.GetBytes(ContentTypes))),
            ("xl/workbook.xml", new MemoryStream(new UnicodeEncoding(false, false).GetBytes(
                EntityBomb($"""<workbook xmlns="{SpreadsheetNs}">&lol9;</workbook>""").Replace("version=\"1.0\"", "version=\"1.0\" encoding=\"UTF-16\"")))))),
            "DOCTYPE")),
        new("xlsx_declaring_16384_columns_and_a_million_rows", run => run.CompletesAsync(
            HostileFile.Of("ancho.xlsx", Xlsx(Sheet(TwoRows, dimension: "A1:XFD1048576", rawRows: """<row r="3000"/><row r="1048576"><c r="XFD1048576"><v>1</v></c></row>"""))),
            imported: 2, [], Seeded(new Item("ABC-123", "Centro", 10m, 1), new Item("XYZ 789", "Sur", 20m, 3)))),
        new("xlsx_million_empty_rows", run => run.CompletesAsync(
            HostileFile.Of("vacias.xlsx", Xlsx(Sheet([], dimension: "A1:F1000001", rawRows:
                """<row r="1000000"><c r="A1000000" t="inlineStr"><is><t>XYZ 789</t></is></c><c r="B1000000"><v>20</v></c><c r="C1000000"><v>3</v></c><c r="D1000000" t="inlineStr"><is><t>Sur</t></is></c></row>"""
                + """<row r="1000001"><c r="A1000001" t="inlineStr"><is><t>XYZ 789</t></is></c><c r="B1000001"><v>-1</v></c><c r="C1000001"><v>3</v></c></row>"""))),
            imported: 1, [(1_000_001, "Precio negativo")], Seeded(new Item("XYZ 789", "Sur", 20m, 3)))),
        new("xlsx_formula_cells_are_data_not_executed", FormulasAsync),
        new("xlsx_absurd_typed_values", run => run.CompletesAsync(
            HostileFile.Of("valores.xlsx", Xlsx(Sheet([], rawRows: string.Concat(
                Cells(2, "<v>1E+308</v>", "<v>1</v>"), Cells(3, "<v>NaN</v>", "<v>1</v>"), Cells(4, "<v>12</v>", "<v>4294967296</v>"),
                Cells(5, "<v>12</v>", "<v>2.5</v>"), Cells(6, "<v>12</v>", "<v>-7</v>"), Cells(7, "<v>1</v>", "<v>1</v>", priceType: "b"),
                Cells(8, "<v>#N/A</v>", "<v>1</v>", priceType: "e"), Cells(9, "<v>not a number</v>", "<v>1</v>"), Cells(10, "<v>7.5</v>", "<v>9</v>"))))),
            imported: 1,
            [
                (2, "Precio no válido"), (3, "Precio no válido"), (4, "Existencia fuera de rango"), (5, "Existencia no es un número entero"),
                (6, "Existencia negativa"), (7, "Precio no válido"), (8, "Precio no válido"), (9, "Precio no válido"),
            ],
            Seeded(new Item("ABC-123", "Sur", 7.50m, 9)))),
        new("xlsx_100_mb_single_cell", run => run.FailsAsync(HostileFile.Of("celda.xlsx", Xlsx(
            Repeat($"""<?xml version="1.0"?><worksheet xmlns="{SpreadsheetNs}"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>""", "x", 100L * 1024 * 1024,
                "</t></is></c></row></sheetData></worksheet>"))), "descomprimido es demasiado grande")),
        new("xlsx_cell_longer_than_excel_allows", run => run.FailsAsync(HostileFile.Of("celda.xlsx",
            Xlsx(Sheet([["ABC-123", 10, 1, new string('x', 40_000)]]))), "caracteres, el máximo de Excel")),
        new("xlsx_shared_string_index_out_of_range", run => run.FailsAsync(HostileFile.Of("indice.xlsx", Xlsx(
            Sheet([], rawRows: """<row r="2"><c r="A2" t="s"><v>99999</v></c><c r="B2"><v>10</v></c><c r="C2"><v>1</v></c></row>"""),
            ("xl/sharedStrings.xml", $"""<?xml version="1.0"?><sst xmlns="{SpreadsheetNs}"><si><t>ABC-123</t></si></sst>"""))),
            "la celda A2 apunta a un texto compartido que no existe")),
        new("xlsx_cell_reference_beyond_xfd", run => run.FailsAsync(HostileFile.Of("celda.xlsx", Xlsx(Sheet([],
            rawRows: """<row r="2"><c r="ZZZZZ2" t="inlineStr"><is><t>ABC-123</t></is></c></row>"""))), "la referencia de celda \"ZZZZZ2\"")),
        new("xlsx_row_beyond_excels_last_row", run => run.FailsAsync(HostileFile.Of("fila.xlsx", Xlsx(Sheet([],
            rawRows: """<row r="2000000"><c r="A2000000" t="inlineStr"><is><t>ABC-123</t></is></c></row>"""))), "fuera del rango de Excel")),
        new("xlsx_rows_out_of_order", run => run.FailsAsync(HostileFile.Of("orden.xlsx", Xlsx(Sheet([],
            rawRows: """<row r="5"><c r="A5" t="inlineStr"><is><t>ABC-123</t></is></c></row><row r="3"><c r="A3" t="inlineStr"><is><t>XYZ 789</t></is></c></row>"""))),
            "la fila \"3\" está fuera de orden")),
        new("xlsx_sheet_part_missing", run => run.FailsAsync(HostileFile.Of("sin-hoja.xlsx", Xlsx(Sheet(TwoRows),
            ("xl/_rels/workbook.xml.rels", """<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/otra.xml"/></Relationships>"""))),
            "falta la hoja \"Hoja1\"")),
        new("xlsx_malformed_xml_after_2000_good_rows", run => run.FailsAsync(HostileFile.Of("roto.xlsx", Xlsx(
            Sheet(Enumerable.Range(0, 2000).Select(i => new object?[] { "ABC-123", 10, 1, "Centro" }), rawRows: "<row><c<<"))), "el XML de xl/worksheets/sheet1.xml no es válido")),
        new("xlsx_mapping_names_a_sheet_that_does_not_exist", async run =>
        {
            var upload = await run.UploadAsync(HostileFile.Of("hojas.xlsx", Xlsx(Sheet(TwoRows))), "replace",
                """{"part_number": "PARTE", "price": "PRECIO", "stock": "EXISTENCIAS", "sheet": "Inventario"}""");
            Assert.Equal("failed", upload["status"]!.GetValue<string>());
            Assert.Contains("La hoja \"Inventario\" no existe en el archivo; hojas: Hoja1.", upload["error_log"]!.GetValue<string>());
        }),
        new("zip_that_is_not_a_workbook_named_xlsx", run => run.FailsAsync(HostileFile.Of("documento.xlsx",
            Zip(("[Content_Types].xml", ContentTypes), ("word/document.xml", "<w:document/>"))), "no es un libro de Excel .xlsx válido")),
        new("preview_of_a_zip_bomb", async run =>
        {
            var response = await run.PostFileAsync(HostileFile.Of("bomba.xlsx", ZipBomb(1, 32 * 1024 * 1024)), path: "/api/inventory/mapping/preview");
            await run.RefusedAsync(response, HttpStatusCode.BadRequest, null, "descomprimido es demasiado grande");
        }),
        new("preview_of_a_sheet_declaring_16384_columns", async run =>
        {
            var response = await run.PostFileAsync(HostileFile.Of("ancho.xlsx", Xlsx(Sheet(TwoRows, dimension: "A1:XFD1048576"))), path: "/api/inventory/mapping/preview");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var preview = await response.JsonAsync();
            Assert.Equal(200, preview["columns"]!.AsArray().Count);
            Assert.Equal("XYZ 789", preview["rows"]![1]![0]!.GetValue<string>());
        }),
    ];

    /// <summary>A data row with part ABC-123 at Sur and the given raw price and stock elements.</summary>
    private static string Cells(int row, string price, string stock, string? priceType = null) =>
        $"""<row r="{row}"><c r="A{row}" t="inlineStr"><is><t>ABC-123</t></is></c><c r="B{row}"{(priceType is null ? "" : $" t=\"{priceType}\"")}>{price}</c><c r="C{row}">{stock}</c><c r="D{row}" t="inlineStr"><is><t>Sur</t></is></c></row>""";

    private static async Task FormulasAsync(HostileRun run)
    {
        var rows = """
            <row r="2"><c r="A2" t="str"><f>HYPERLINK("http://evil.example/","ABC-123")</f><v>ABC-123</v></c><c r="B2"><f>1+1</f><v>2</v></c><c r="C2"><v>7</v></c><c r="D2" t="inlineStr"><is><t>Centro</t></is></c></row>
            <row r="3"><c r="A3" t="inlineStr"><is><t>=cmd|' /C calc'!A0</t></is></c><c r="B3"><v>10</v></c><c r="C3"><v>1</v></c><c r="D3" t="inlineStr"><is><t>Centro</t></is></c></row>
            <row r="4"><c r="A4" t="inlineStr"><is><t>XYZ 789</t></is></c><c r="B4"><f>WEBSERVICE("http://evil.example/")</f></c><c r="C4"><v>1</v></c><c r="D4" t="inlineStr"><is><t>Sur</t></is></c></row>
            <row r="5"><c r="A5" t="inlineStr"><is><t>GT-100</t></is></c><c r="B5"><v>10</v></c><c r="C5" t="e"><f>1/0</f><v>#DIV/0!</v></c><c r="D5" t="inlineStr"><is><t>Norte</t></is></c></row>
            """;
        var upload = await run.CompletesAsync(HostileFile.Of("formulas.xlsx", Xlsx(Sheet([], rawRows: rows))),
            imported: 1, [(3, "no encontrado"), (4, "Falta precio"), (5, "Existencia no válido: #DIV/0!")], Seeded(new Item("ABC-123", "Centro", 2m, 7)));
        var csv = await run.Client.GetStringAsync($"/api/inventory/uploads/{HostileRun.UploadId(upload)}/errors.csv");
        Assert.Contains(",'=cmd|' /C calc'!A0,", csv);
    }
}
