using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Nexus.Tests.Infrastructure;

namespace Nexus.Tests.Inventory;

/// <summary>Uploads over HTTP end to end: SAS URL, PUT to Azurite, complete, the real queue listener, history and items.</summary>
public sealed class HttpUploadTests(HttpInventoryFixture fixture) : IClassFixture<HttpInventoryFixture>
{
    private const string Csv = "PARTE,PRECIO,EXISTENCIAS,SUCURSAL\nABC-123,450.00,12,Centro\nXYZ 789,99.5,3,Norte\nNOPE-1,10,1,Centro\n";

    private static readonly HttpClient Storage = new();

    private static async Task<JsonObject> RequestUploadAsync(HttpClient client, object body)
    {
        var response = await client.PostAsJsonAsync("/api/inventory/uploads", body);
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        return await response.JsonAsync();
    }

    private static HttpRequestMessage PutBlob(string url, string content, bool blockBlobHeader = true)
    {
        var request = new HttpRequestMessage(HttpMethod.Put, url) { Content = new StringContent(content, Encoding.UTF8, "text/csv") };
        if (blockBlobHeader)
        {
            request.Headers.Add("x-ms-blob-type", "BlockBlob");
        }
        return request;
    }

    [Fact]
    public async Task Sas_upload_then_complete_is_processed_by_the_queue_function_and_shows_in_history_and_items()
    {
        var (_, client) = await fixture.BodegaWithMappingAsync();
        var ticket = await RequestUploadAsync(client, new { filename = "inventario julio.csv" });
        var uploadId = ticket["upload_id"]!.GetValue<long>();
        Assert.Equal("BlockBlob", ticket["required_headers"]!["x-ms-blob-type"]!.GetValue<string>());
        Assert.Equal($"/api/inventory/uploads/{uploadId}/complete", ticket["complete_url"]!.GetValue<string>());
        var expires = ticket["expires_at"]!.GetValue<DateTimeOffset>();
        Assert.InRange(expires - DateTimeOffset.UtcNow, TimeSpan.FromMinutes(9), TimeSpan.FromMinutes(11));
        Assert.Contains("sp=c&", ticket["upload_url"]!.GetValue<string>() + "&");

        using (var put = await Storage.SendAsync(PutBlob(ticket["upload_url"]!.GetValue<string>(), Csv)))
        {
            Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        }
        var complete = await client.PostAsync($"/api/inventory/uploads/{uploadId}/complete", null);
        Assert.Equal(HttpStatusCode.Accepted, complete.StatusCode);
        Assert.Equal($"/api/inventory/uploads/{uploadId}", complete.Headers.Location?.ToString());

        var upload = await HttpInventoryFixture.WaitForUploadAsync(client, uploadId);
        Assert.Equal(("completed", 3, 2, 1), (upload["status"]!.GetValue<string>(), upload["rows_total"]!.GetValue<int>(),
            upload["rows_imported"]!.GetValue<int>(), upload["rows_errors"]!.GetValue<int>()));
        Assert.Equal(3, upload["rows_processed"]!.GetValue<int>());
        Assert.Equal("inventario julio.csv", upload["filename"]!.GetValue<string>());
        Assert.NotNull(upload["completed_at"]!.GetValue<DateTime?>());

        var history = await (await client.GetAsync("/api/inventory/uploads")).JsonAsync();
        Assert.Equal(1, history["total"]!.GetValue<long>());
        Assert.Equal(uploadId, history["items"]![0]!["upload_id"]!.GetValue<long>());

        var items = await (await client.GetAsync("/api/inventory/items")).JsonAsync();
        Assert.Equal(["ABC-123", "XYZ 789"], items["items"]!.AsArray().Select(i => i!["part_number"]!.GetValue<string>()));
        Assert.Equal(450.00m, items["items"]![0]!["price"]!.GetValue<decimal>());
        Assert.Equal("Centro", items["items"]![0]!["warehouse_location"]!.GetValue<string>());

        // Completing again (or Event Grid's duplicate) changes nothing.
        Assert.Equal(HttpStatusCode.Accepted, (await client.PostAsync($"/api/inventory/uploads/{uploadId}/complete", null)).StatusCode);
        Assert.Equal(upload.ToJsonString(), (await HttpInventoryFixture.WaitForUploadAsync(client, uploadId)).ToJsonString());
    }

    [Fact]
    public async Task Sas_url_creates_only_its_own_blob_and_cannot_overwrite_or_read_it()
    {
        var (_, client) = await fixture.BodegaWithMappingAsync();
        var url = new Uri((await RequestUploadAsync(client, new { filename = "a.csv" }))["upload_url"]!.GetValue<string>());

        var otherName = new UriBuilder(url) { Path = url.AbsolutePath[..(url.AbsolutePath.LastIndexOf('/') + 1)] + "someone-else.csv" }.Uri;
        using (var other = await Storage.SendAsync(PutBlob(otherName.ToString(), Csv)))
        {
            Assert.Equal(HttpStatusCode.Forbidden, other.StatusCode);
        }
        using (var first = await Storage.SendAsync(PutBlob(url.ToString(), Csv)))
        {
            Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        }
        using (var overwrite = await Storage.SendAsync(PutBlob(url.ToString(), "PARTE,PRECIO,EXISTENCIAS\nEVIL,1,1\n")))
        {
            Assert.False(overwrite.IsSuccessStatusCode, $"Overwrite answered {(int)overwrite.StatusCode}");
        }
        using (var read = await Storage.GetAsync(url))
        {
            Assert.Equal(HttpStatusCode.Forbidden, read.StatusCode);
        }
    }

    [Fact]
    public async Task Complete_before_the_blob_exists_is_a_400_and_the_upload_stays_pending()
    {
        var (_, client) = await fixture.BodegaWithMappingAsync();
        var uploadId = (await RequestUploadAsync(client, new { filename = "a.csv" }))["upload_id"]!.GetValue<long>();

        var problem = await ProblemAssert.IsProblemAsync(await client.PostAsync($"/api/inventory/uploads/{uploadId}/complete", null), HttpStatusCode.BadRequest);
        Assert.Contains("upload_url", problem["detail"]!.GetValue<string>());
        var upload = await (await client.GetAsync($"/api/inventory/uploads/{uploadId}")).JsonAsync();
        Assert.Equal("pending", upload["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task Complete_of_a_blob_over_the_limit_is_a_413_and_the_upload_fails()
    {
        var (_, client) = await fixture.BodegaWithMappingAsync();
        var ticket = await RequestUploadAsync(client, new { filename = "grande.csv" });
        var uploadId = ticket["upload_id"]!.GetValue<long>();
        var big = "PARTE,PRECIO,EXISTENCIAS\n" + string.Concat(Enumerable.Repeat("ABC-123,10,1\n", 6000));
        using (var put = await Storage.SendAsync(PutBlob(ticket["upload_url"]!.GetValue<string>(), big)))
        {
            Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        }

        var problem = await ProblemAssert.IsProblemAsync(await client.PostAsync($"/api/inventory/uploads/{uploadId}/complete", null), HttpStatusCode.RequestEntityTooLarge);
        Assert.Contains("excede el tamaño máximo", problem["detail"]!.GetValue<string>());
        var upload = await (await client.GetAsync($"/api/inventory/uploads/{uploadId}")).JsonAsync();
        Assert.Equal("failed", upload["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task Request_validates_name_mode_and_mapping()
    {
        var (_, noMapping) = await fixture.BodegaAsync();
        var xls = await ProblemAssert.IsValidationProblemAsync(await noMapping.PostAsJsonAsync("/api/inventory/uploads", new { filename = "viejo.xls" }), "filename");
        Assert.Contains(".xls", xls["errors"]!["filename"]![0]!.GetValue<string>());
        Assert.Contains("xlsx", xls["errors"]!["filename"]![0]!.GetValue<string>());
        await ProblemAssert.IsValidationProblemAsync(await noMapping.PostAsJsonAsync("/api/inventory/uploads", new { filename = "x.pdf" }), "filename");
        await ProblemAssert.IsValidationProblemAsync(await noMapping.PostAsJsonAsync("/api/inventory/uploads", new { }), "filename");
        await ProblemAssert.IsValidationProblemAsync(await noMapping.PostAsJsonAsync("/api/inventory/uploads", new { filename = "a.csv", mode = "append" }), "mode");

        var missing = await ProblemAssert.IsValidationProblemAsync(await noMapping.PostAsJsonAsync("/api/inventory/uploads", new { filename = "a.csv" }), "mapping");
        Assert.Contains("PUT /api/inventory/mapping", missing["errors"]!["mapping"]![0]!.GetValue<string>());

        await ProblemAssert.IsValidationProblemAsync(
            await noMapping.PostAsJsonAsync("/api/inventory/uploads", new { filename = "a.csv", mapping = new { part_number = "A" } }), "mapping.price");
        var withMapping = await noMapping.PostAsJsonAsync("/api/inventory/uploads",
            new { filename = "a.xlsx", mode = "replace", mapping = new { part_number = "A", price = "B", stock = "C" } });
        Assert.Equal(HttpStatusCode.Created, withMapping.StatusCode);
    }

    [Fact]
    public async Task Multipart_upload_is_streamed_queued_and_processed()
    {
        var (_, client) = await fixture.BodegaWithMappingAsync();
        using var form = HttpInventoryFixture.FileForm(@"C:\fakepath\existencias.csv", Encoding.UTF8.GetBytes(Csv), ("mode", "replace"));
        var response = await client.PostAsync("/api/inventory/upload", form);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var accepted = await response.JsonAsync();
        var uploadId = accepted["upload_id"]!.GetValue<long>();
        Assert.Equal($"/api/inventory/uploads/{uploadId}", response.Headers.Location?.ToString());
        Assert.Equal("replace", accepted["mode"]!.GetValue<string>());
        Assert.Equal("existencias.csv", accepted["filename"]!.GetValue<string>());
        var upload = await HttpInventoryFixture.WaitForUploadAsync(client, uploadId);
        Assert.Equal(("completed", 2), (upload["status"]!.GetValue<string>(), upload["rows_imported"]!.GetValue<int>()));
        Assert.Equal(Encoding.UTF8.GetByteCount(Csv), upload["content_length"]!.GetValue<long>());
    }

    [Fact]
    public async Task Multipart_over_the_limit_is_a_413_while_streaming_and_nothing_is_queued()
    {
        var (_, client) = await fixture.BodegaWithMappingAsync();
        var big = Encoding.UTF8.GetBytes("PARTE,PRECIO,EXISTENCIAS\n" + string.Concat(Enumerable.Repeat("ABC-123,10,1\n", 6000)));
        Assert.True(big.Length > HttpInventoryFixture.MaxUploadBytes);
        using var form = HttpInventoryFixture.FileForm("grande.csv", big);

        var problem = await ProblemAssert.IsProblemAsync(await client.PostAsync("/api/inventory/upload", form), HttpStatusCode.RequestEntityTooLarge);
        Assert.Contains("El archivo excede el tamaño máximo", problem["detail"]!.GetValue<string>());
        var history = await (await client.GetAsync("/api/inventory/uploads")).JsonAsync();
        Assert.Equal("failed", history["items"]![0]!["status"]!.GetValue<string>());
        Assert.Contains("excede", history["items"]![0]!["error_log"]!.GetValue<string>());
    }

    [Fact]
    public async Task Multipart_refuses_xls_missing_file_non_multipart_and_fields_after_the_file()
    {
        var (_, client) = await fixture.BodegaWithMappingAsync();
        using (var xls = HttpInventoryFixture.FileForm("viejo.xls", [0xD0, 0xCF, 0x11, 0xE0]))
        {
            var problem = await ProblemAssert.IsValidationProblemAsync(await client.PostAsync("/api/inventory/upload", xls), "file");
            Assert.Contains(".xls", problem["errors"]!["file"]![0]!.GetValue<string>());
        }
        using (var noFile = new MultipartFormDataContent { { new StringContent("merge"), "mode" } })
        {
            await ProblemAssert.IsValidationProblemAsync(await client.PostAsync("/api/inventory/upload", noFile), "file");
        }
        await ProblemAssert.IsProblemAsync(await client.PostAsJsonAsync("/api/inventory/upload", new { file = "x" }), HttpStatusCode.UnsupportedMediaType);

        using var late = HttpInventoryFixture.FileForm("a.csv", Encoding.UTF8.GetBytes(Csv));
        late.Add(new StringContent("replace"), "mode");
        await ProblemAssert.IsValidationProblemAsync(await client.PostAsync("/api/inventory/upload", late), "mode");
        var history = await (await client.GetAsync("/api/inventory/uploads")).JsonAsync();
        Assert.Equal("failed", history["items"]![0]!["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task Errors_csv_lists_rejected_rows_neutralises_formulas_and_has_a_bom()
    {
        var (_, client) = await fixture.BodegaWithMappingAsync();
        var csv = "PARTE,PRECIO,EXISTENCIAS,SUCURSAL\n"
            + "ABC-123,10,1,Centro\n"
            + "=HYPERLINK(\"http://x\"),10,1,Centro\n"   // row 3: unknown part number that is a formula
            + "XYZ789,-5,1,@SUM(A1)\n"                    // row 4: negative price, formula-like location
            + "+52,abc,1,Año\n";                          // row 5
        using var form = HttpInventoryFixture.FileForm("inv.csv", Encoding.UTF8.GetBytes(csv));
        var uploadId = (await (await client.PostAsync("/api/inventory/upload", form)).JsonAsync())["upload_id"]!.GetValue<long>();
        var upload = await HttpInventoryFixture.WaitForUploadAsync(client, uploadId);
        Assert.Equal(3, upload["rows_errors"]!.GetValue<int>());

        var response = await client.GetAsync($"/api/inventory/uploads/{uploadId}/errors.csv");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/csv", response.Content.Headers.ContentType?.MediaType);
        var bytes = await response.Content.ReadAsByteArrayAsync();
        Assert.Equal([0xEF, 0xBB, 0xBF], bytes[..3]);
        var lines = Encoding.UTF8.GetString(bytes[3..]).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("fila,tipo,motivo,numero_de_parte,precio,existencias,ubicacion,minimo_de_compra,marca", lines[0]);
        Assert.Equal(["3", "4", "5"], lines[1..].Select(l => l.Split(',')[0]));
        Assert.Contains(",\"'=HYPERLINK(\"\"http://x\"\")\",", lines[1]);
        Assert.Contains(",'-5,", lines[2]);
        Assert.Contains(",'@SUM(A1)", lines[2]);
        Assert.Contains(",'+52,", lines[3]);
        Assert.Contains("Año", lines[3]);
        foreach (var line in lines[1..])
        {
            Assert.DoesNotMatch(@"(^|,)[=+\-@]", line);
        }
    }

    [Fact]
    public async Task Another_bodega_gets_404_for_an_upload_its_complete_and_its_errors_and_sees_no_history()
    {
        var (_, owner) = await fixture.BodegaWithMappingAsync();
        var ticket = await RequestUploadAsync(owner, new { filename = "a.csv" });
        var uploadId = ticket["upload_id"]!.GetValue<long>();
        var (_, other) = await fixture.BodegaWithMappingAsync();

        await ProblemAssert.IsProblemAsync(await other.GetAsync($"/api/inventory/uploads/{uploadId}"), HttpStatusCode.NotFound);
        await ProblemAssert.IsProblemAsync(await other.GetAsync($"/api/inventory/uploads/{uploadId}/errors.csv"), HttpStatusCode.NotFound);
        await ProblemAssert.IsProblemAsync(await other.PostAsync($"/api/inventory/uploads/{uploadId}/complete", null), HttpStatusCode.NotFound);
        await ProblemAssert.IsProblemAsync(await other.GetAsync("/api/inventory/uploads/999999999"), HttpStatusCode.NotFound);
        Assert.Equal(0, (await (await other.GetAsync("/api/inventory/uploads")).JsonAsync())["total"]!.GetValue<long>());
        Assert.Equal(HttpStatusCode.OK, (await owner.GetAsync($"/api/inventory/uploads/{uploadId}")).StatusCode);
    }

    [Fact]
    public async Task History_is_newest_first_and_paged()
    {
        var (_, client) = await fixture.BodegaWithMappingAsync();
        var ids = new List<long>();
        foreach (var name in new[] { "1.csv", "2.csv", "3.csv" })
        {
            ids.Add((await RequestUploadAsync(client, new { filename = name }))["upload_id"]!.GetValue<long>());
        }
        var page = await (await client.GetAsync("/api/inventory/uploads?page=2&page_size=2")).JsonAsync();
        Assert.Equal((3L, 2, 2), (page["total"]!.GetValue<long>(), page["page"]!.GetValue<int>(), page["page_size"]!.GetValue<int>()));
        Assert.Equal([ids[0]], page["items"]!.AsArray().Select(i => i!["upload_id"]!.GetValue<long>()));
        var first = await (await client.GetAsync("/api/inventory/uploads?page_size=2")).JsonAsync();
        Assert.Equal([ids[2], ids[1]], first["items"]!.AsArray().Select(i => i!["upload_id"]!.GetValue<long>()));
        await ProblemAssert.IsValidationProblemAsync(await client.GetAsync("/api/inventory/uploads?page_size=1000"), "page_size");
    }
}
