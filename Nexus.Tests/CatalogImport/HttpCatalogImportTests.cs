using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Nexus.Core.Auth;
using Nexus.Core.Storage;
using Nexus.Tests.Infrastructure;
using Nexus.Tests.Queues;
using static Nexus.Tests.CatalogImport.CatalogImportCatalog;

namespace Nexus.Tests.CatalogImport;

/// <summary>
/// Article feeds over HTTP end to end: multipart upload into Azurite, the catalog-import message taken by the host's own
/// queue listener, the import's state, list and problems.csv, and the refusals. Each test uses its own article numbers.
/// </summary>
public sealed class HttpCatalogImportTests(HttpCatalogImportFixture fixture) : IClassFixture<HttpCatalogImportFixture>
{
    private async Task<(long ImportId, HttpResponseMessage Response)> UploadAsync(HttpClient client, string fileName, byte[] content)
    {
        using var form = HttpCatalogImportFixture.FileForm(fileName, content);
        var response = await client.PostAsync("/api/admin/catalog-imports", form);
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, await response.Content.ReadAsStringAsync());
        return ((await response.JsonAsync())["import_id"]!.GetValue<long>(), response);
    }

    [Fact]
    public async Task An_uploaded_feed_is_processed_by_the_queue_function_and_its_articles_are_aftermarket_alternatives()
    {
        var before = await StateAsync(fixture.Database.DataSource);
        using var admin = await fixture.App.CreateClientAsync(Roles.Admin);
        var csv = Header + "PARTQUIP,HTTP-1,Balata PARTQUIP,Frenos,XYZ 789|0986AB2854,1|4\nKAWE,HTTP-2,Filtro KAWE,Filtros,ABC123,\n";

        var (importId, response) = await UploadAsync(admin, @"C:\fakepath\articulos julio.csv", Encoding.UTF8.GetBytes(csv));

        Assert.Equal($"/api/admin/catalog-imports/{importId}", response.Headers.Location?.ToString());
        var accepted = await response.JsonAsync();
        Assert.Equal("articulos julio.csv", accepted["filename"]!.GetValue<string>());
        Assert.Contains(accepted["status"]!.GetValue<string>(), new[] { "pending", "processing", "completed" });
        var import = await HttpCatalogImportFixture.WaitForImportAsync(admin, importId);
        Assert.Equal(("completed", 2, 2, 0), (import["status"]!.GetValue<string>(), import["rows_total"]!.GetValue<int>(),
            import["rows_imported"]!.GetValue<int>(), import["rows_rejected"]!.GetValue<int>()));
        // Vehicles 1 and 4 for parts 4, 1 and 2; part 1 already fits vehicle 1.
        Assert.Equal((4, 0, 0, 5), (import["aftermarket_created"]!.GetValue<int>(), import["aftermarket_updated"]!.GetValue<int>(),
            import["aftermarket_unchanged"]!.GetValue<int>(), import["vehicle_links_created"]!.GetValue<int>()));
        Assert.Equal(2, import["rows_processed"]!.GetValue<int>());
        Assert.Equal(1, import["attempts"]!.GetValue<int>());
        Assert.Equal(Encoding.UTF8.GetByteCount(csv), import["content_length"]!.GetValue<long>());
        Assert.Empty(import["problem_counts"]!.AsObject());
        Assert.NotNull(import["created_by_email"]?.GetValue<string>());

        var listed = await (await admin.GetAsync("/api/admin/catalog-imports")).JsonAsync();
        Assert.Contains(listed["items"]!.AsArray(), i => i!["import_id"]!.GetValue<long>() == importId && i["status"]!.GetValue<string>() == "completed");

        using var anonymous = fixture.App.CreateClient();
        var alternatives = await anonymous.GetFromJsonAsync<JsonElement>("/api/parts/4/aftermarket");
        Assert.Contains(alternatives.EnumerateArray(), a => a.GetProperty("manufacturer").GetString() == "PARTQUIP" && a.GetProperty("part_number").GetString() == "HTTP-1");
        var search = await anonymous.GetStringAsync("/api/parts/search?q=HTTP-2");
        Assert.Contains("ABC-123", search);

        var after = await StateAsync(fixture.Database.DataSource);
        Assert.Equal((before.Parts, before.AftParts, before.PartsChecksum), (after.Parts, after.AftParts, after.PartsChecksum));
    }

    [Fact]
    public async Task Problems_csv_lists_every_problem_with_its_row_neutralises_formulas_and_has_a_bom()
    {
        using var owner = await fixture.App.CreateClientAsync(Roles.Owner);
        var csv = Header
            + "Bosch,CSV-1,Balata,Frenos,XYZ789|-5,@SUM(A1)|998\n"      // row 2: imported; '-5' unknown; vehicle 998 unknown, @SUM(A1) not an id
            + "\"=HYPERLINK(\"\"http://x\"\")\",CSV-2,,,ABC-123,\n"    // row 3: unknown supplier that is a formula
            + "Bosch,CSV-3,Balata,Frenos,AFT-GT100-Gates,\n"            // row 4: only an AFT- part has it
            + "Bosch,CSV-4,Año,Ruedas,ABC-123,\n";                      // row 5: unknown category
        var (importId, _) = await UploadAsync(owner, "proveedor.csv", Encoding.UTF8.GetBytes(csv));
        var import = await HttpCatalogImportFixture.WaitForImportAsync(owner, importId);
        Assert.Equal((4, 1, 3, 4), (import["rows_total"]!.GetValue<int>(), import["rows_imported"]!.GetValue<int>(),
            import["rows_rejected"]!.GetValue<int>(), import["rows_with_problems"]!.GetValue<int>()));
        Assert.Equal(2, import["problem_counts"]!["unknown_vehicle"]!.GetValue<int>());
        Assert.Contains("Fila 3: Proveedor no registrado", import["error_log"]!.GetValue<string>());

        var response = await owner.GetAsync($"/api/admin/catalog-imports/{importId}/problems.csv");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/csv", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains($"problemas-importacion-{importId}.csv", response.Content.Headers.ContentDisposition?.ToString());
        var bytes = await response.Content.ReadAsByteArrayAsync();
        Assert.Equal([0xEF, 0xBB, 0xBF], bytes[..3]);
        var lines = Encoding.UTF8.GetString(bytes[3..]).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("fila,tipo,valor,motivo,proveedor,numero_de_articulo", lines[0]);
        Assert.Equal(["2", "2", "2", "3", "4", "5"], lines[1..].Select(l => l.Split(',')[0]));
        Assert.StartsWith("2,oem_desconocido,'-5,", lines[1]);
        Assert.StartsWith("2,vehiculo_desconocido,998,", lines[2]);
        Assert.StartsWith("2,vehiculo_desconocido,'@SUM(A1),", lines[3]);
        Assert.StartsWith("3,proveedor_desconocido,\"'=HYPERLINK(\"\"http://x\"\")\",", lines[4]);
        Assert.StartsWith("4,oem_desconocido,AFT-GT100-Gates,", lines[5]);
        Assert.StartsWith("5,categoria_desconocida,Ruedas,", lines[6]);
        Assert.EndsWith(",Bosch,CSV-4", lines[6]);
        foreach (var line in lines[1..])
        {
            Assert.DoesNotMatch(@"(^|,)[=+\-@]", line);
        }
    }

    public static TheoryData<string, string, string> BadFiles => new()
    {
        { "vacio.csv", "", "vacío" },
        { "encabezados.csv", Header, "no tiene filas de datos" },
        { "columnas.csv", "proveedor,nombre,categoria\nBosch,Balata,Frenos\n", "Faltan columnas obligatorias en la fila de encabezados: número de artículo (\"numero_articulo\"), números OEM (\"numeros_oem\")" },
        { "repetida.csv", "proveedor,marca,numero_articulo,numeros_oem\nBosch,Bosch,X,Y\n", "aparece 2 veces" },
        { "tuberias.csv", "proveedor|numero_articulo|numeros_oem\nBosch|X-1|XYZ789\n", "separadas por |" },
        { "disfrazado.csv", "PK\u0003\u0004zip", "comprimido" },
    };

    [Theory]
    [MemberData(nameof(BadFiles))]
    public async Task A_file_that_cannot_be_imported_fails_with_a_clear_message_and_changes_nothing(string fileName, string content, string message)
    {
        var before = await StateAsync(fixture.Database.DataSource);
        using var admin = await fixture.App.CreateClientAsync(Roles.Admin);

        var (importId, _) = await UploadAsync(admin, fileName, Encoding.UTF8.GetBytes(content));

        var import = await HttpCatalogImportFixture.WaitForImportAsync(admin, importId);
        Assert.Equal("failed", import["status"]!.GetValue<string>());
        Assert.Contains(message, import["error_log"]!.GetValue<string>());
        Assert.Null(import["rows_total"]?.GetValue<int?>());
        Assert.Equal(1, import["attempts"]!.GetValue<int>());
        var after = await StateAsync(fixture.Database.DataSource);
        Assert.Equal((before.PartsChecksum, before.LinksChecksum), (after.PartsChecksum, after.LinksChecksum));
    }

    [Fact]
    public async Task Uploads_that_are_not_a_csv_file_are_refused_with_problem_details()
    {
        using var admin = await fixture.App.CreateClientAsync(Roles.Admin);

        await ProblemAssert.IsProblemAsync(await admin.PostAsJsonAsync("/api/admin/catalog-imports", new { file = "x" }), HttpStatusCode.UnsupportedMediaType);
        using (var noFile = new MultipartFormDataContent { { new StringContent("x"), "comment" } })
        {
            await ProblemAssert.IsValidationProblemAsync(await admin.PostAsync("/api/admin/catalog-imports", noFile), "file");
        }
        using (var xlsx = HttpCatalogImportFixture.FileForm("articulos.xlsx", [0x50, 0x4B, 0x03, 0x04]))
        {
            var problem = await ProblemAssert.IsValidationProblemAsync(await admin.PostAsync("/api/admin/catalog-imports", xlsx), "file");
            Assert.Contains("CSV", problem["errors"]!["file"]![0]!.GetValue<string>());
        }

        var big = Encoding.UTF8.GetBytes(Header + string.Concat(Enumerable.Repeat("Bosch,BIG-1,Balata,Frenos,XYZ789,1\n", 2000)));
        Assert.True(big.Length > HttpCatalogImportFixture.MaxUploadBytes);
        using (var form = HttpCatalogImportFixture.FileForm("grande.csv", big))
        {
            var problem = await ProblemAssert.IsProblemAsync(await admin.PostAsync("/api/admin/catalog-imports", form), HttpStatusCode.RequestEntityTooLarge);
            Assert.Contains("excede el tamaño máximo", problem["detail"]!.GetValue<string>());
        }
        var newest = (await (await admin.GetAsync("/api/admin/catalog-imports?page_size=1")).JsonAsync())["items"]![0]!;
        Assert.Equal(("grande.csv", "failed"), (newest["filename"]!.GetValue<string>(), newest["status"]!.GetValue<string>()));

        await ProblemAssert.IsProblemAsync(await admin.GetAsync("/api/admin/catalog-imports/999999999"), HttpStatusCode.NotFound);
        await ProblemAssert.IsProblemAsync(await admin.GetAsync("/api/admin/catalog-imports/999999999/problems.csv"), HttpStatusCode.NotFound);
        await ProblemAssert.IsValidationProblemAsync(await admin.GetAsync("/api/admin/catalog-imports?page_size=1000"), "page_size");
    }

    [Fact]
    public async Task Only_admins_and_owners_may_upload_or_read_imports()
    {
        using var anonymous = fixture.App.CreateClient();
        var content = Encoding.UTF8.GetBytes(Header + "Bosch,ROLE-1,Balata,Frenos,XYZ789,\n");
        foreach (var role in new[] { Roles.Taller, Roles.Bodega })
        {
            using var client = await fixture.App.CreateClientAsync(role);
            using var form = HttpCatalogImportFixture.FileForm("a.csv", content);
            Assert.Equal(HttpStatusCode.Forbidden, (await client.PostAsync("/api/admin/catalog-imports", form)).StatusCode);
            Assert.Equal(HttpStatusCode.Forbidden, (await client.GetAsync("/api/admin/catalog-imports")).StatusCode);
        }
        using (var form = HttpCatalogImportFixture.FileForm("a.csv", content))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.PostAsync("/api/admin/catalog-imports", form)).StatusCode);
        }
        await using var connection = await fixture.Database.DataSource.OpenConnectionAsync();
        Assert.Equal(0, await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM aftermarket_parts WHERE part_number = 'ROLE-1'"));

        // An owner sees an import an admin made: imports belong to the catalog, not to one account.
        using var admin = await fixture.App.CreateClientAsync(Roles.Admin);
        var (importId, _) = await UploadAsync(admin, "a.csv", content);
        using var owner = await fixture.App.CreateClientAsync(Roles.Owner);
        Assert.Equal(HttpStatusCode.OK, (await owner.GetAsync($"/api/admin/catalog-imports/{importId}")).StatusCode);
        Assert.Equal("completed", (await HttpCatalogImportFixture.WaitForImportAsync(owner, importId))["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task An_import_failing_on_every_delivery_goes_to_the_poison_queue_and_ends_failed_with_the_reason()
    {
        await using (var connection = await fixture.Database.DataSource.OpenConnectionAsync())
        {
            await connection.ExecuteAsync("""
                CREATE FUNCTION refuse_cursed() RETURNS trigger LANGUAGE plpgsql AS
                $$ BEGIN IF NEW.part_number = 'CURSED-1' THEN RAISE EXCEPTION 'CURSED-1 is cursed'; END IF; RETURN NEW; END $$;
                CREATE TRIGGER refuse_cursed BEFORE INSERT ON aftermarket_parts FOR EACH ROW EXECUTE FUNCTION refuse_cursed();
                """);
        }
        var before = await StateAsync(fixture.Database.DataSource);
        using var admin = await fixture.App.CreateClientAsync(Roles.Admin);

        var (importId, _) = await UploadAsync(admin, "maldito.csv", Encoding.UTF8.GetBytes(Header + "Bosch,CURSED-1,Balata,Frenos,XYZ789,2\n"));

        var import = await HttpCatalogImportFixture.WaitForImportAsync(admin, importId);
        Assert.Equal(("failed", 2), (import["status"]!.GetValue<string>(), import["attempts"]!.GetValue<int>()));
        Assert.Contains("2 intentos", import["error_log"]!.GetValue<string>());
        Assert.Contains("CURSED-1 is cursed", import["error_log"]!.GetValue<string>());
        // Both attempts rolled back: not even the vehicle link, which comes before the failing insert, is left.
        Assert.Equal(before, await StateAsync(fixture.Database.DataSource));
        var poison = fixture.App.Services.GetRequiredService<NexusStorage>().Queue(NexusStorage.CatalogImportQueue + "-poison");
        await Eventually.HoldsAsync(async () => await Eventually.CountAsync(poison) == 1, "the message in the poison queue");
    }
}
