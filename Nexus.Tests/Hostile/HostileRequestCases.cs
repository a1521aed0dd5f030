using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using Nexus.Tests.Infrastructure;
using static Nexus.Tests.Hostile.HostileFiles;

namespace Nexus.Tests.Hostile;

/// <summary>Hostile and broken requests: JSON bodies, multipart forms, query strings, and injection text in every field.</summary>
public static class HostileRequestCases
{
    private const string Mapping = "/api/inventory/mapping";

    public static IEnumerable<HostileCase> All =>
    [
        new("login_json_body_of_2_mb", async run => await run.RefusedAsync(
            await run.Fixture.AnonymousClient().PostAsync("/api/auth/login", Json($$"""{"email": "{{new string('a', 2 * 1024 * 1024)}}@x.mx", "password": "x"}""")),
            HttpStatusCode.RequestEntityTooLarge, null, "64 KB")),
        new("login_json_body_of_2_mb_without_length", async run => await run.RefusedAsync(
            await run.Fixture.AnonymousClient().PostAsync("/api/auth/login",
                Chunked(Repeat("{\"email\": \"", "a", 2 * 1024 * 1024, "@x.mx\", \"password\": \"x\"}"))),
            HttpStatusCode.RequestEntityTooLarge, null, "64 KB")),
        new("login_json_nested_10000_deep", async run => await run.RefusedAsync(
            await run.Fixture.AnonymousClient().PostAsync("/api/auth/login", Json("{\"email\": " + new string('[', 10_000) + new string(']', 10_000) + "}")),
            HttpStatusCode.BadRequest, null, "no es JSON válido")),
        new("login_json_with_wrong_types", async run => await run.RefusedAsync(
            await run.Fixture.AnonymousClient().PostAsync("/api/auth/login", Json("""{"email": 123, "password": ["x"]}""")),
            HttpStatusCode.BadRequest, null, "$.email")),
        new("login_json_truncated", async run => await run.RefusedAsync(
            await run.Fixture.AnonymousClient().PostAsync("/api/auth/login", Json("""{"email": "a@b.mx", "passw""")),
            HttpStatusCode.BadRequest, null, "no es JSON válido")),
        new("login_json_with_invalid_utf8", async run => await run.RefusedAsync(
            await run.Fixture.AnonymousClient().PostAsync("/api/auth/login", Json([.. "{\"email\": \"a"u8, 0xC0, 0xAF, 0xFF, .. "@b.mx\", \"password\": \"x\"}"u8])),
            HttpStatusCode.BadRequest, null, "no es JSON válido")),
        new("login_body_not_json", async run => await run.RefusedAsync(
            await run.Fixture.AnonymousClient().PostAsync("/api/auth/login", new StringContent("email=a@b.mx&password=x", Encoding.UTF8, "text/plain")),
            HttpStatusCode.UnsupportedMediaType, null, "application/json")),
        new("login_sql_injection", async run =>
        {
            var response = await run.Fixture.AnonymousClient().LoginAsync("' OR '1'='1' --@x.mx", "' OR '1'='1");
            var problem = await run.RefusedAsync(response, HttpStatusCode.Unauthorized, null, "email or password is wrong");
            Assert.Equal("Invalid credentials", problem["title"]!.GetValue<string>());
        }),
        new("register_sql_and_script_in_every_field", async run =>
        {
            var email = $"x'--{Guid.NewGuid():N}@evil.mx";
            // The password differs from the business name's SQL: sharing its words ("drop", "table") would be refused as context words.
            var response = await run.Fixture.AnonymousClient().RegisterAsync(new
            {
                name = "<script>alert(1)</script>", email, password = "'; DELETE FROM sessions;--", role = "TALLER",
                business_name = "Robert'); DROP TABLE users;--", phone = "=HYPERLINK(\"http://evil\")", address = "\"><img src=x onerror=alert(1)>",
            });
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
            var stored = await run.ScalarAsync<string>(
                "SELECT name_user || '|' || business_name || '|' || phone || '|' || address || '|' || is_active FROM users WHERE email = @email", new { email });
            Assert.Equal("<script>alert(1)</script>|Robert'); DROP TABLE users;--|=HYPERLINK(\"http://evil\")|\"><img src=x onerror=alert(1)>|false", stored);
        }),
        new("register_oversized_fields", async run =>
        {
            var response = await run.Fixture.AnonymousClient().RegisterAsync(new
            {
                name = new string('n', 5000), email = new string('e', 300) + "@x.mx", password = new string('p', 200), role = "ADMIN",
                business_name = new string('b', 5000), phone = new string('9', 500),
            });
            foreach (var name in new[] { "email", "password", "role", "business_name", "phone" })
            {
                await ProblemAssert.IsValidationProblemAsync(response, name);
            }
            await run.RefusedAsync(response, HttpStatusCode.BadRequest, "name", "at most 200 characters");
        }),
        new("mapping_json_body_of_2_mb", async run => await run.RefusedAsync(
            await run.Client.PutAsync(Mapping, Json($$"""{"part_number": "A", "price": "B", "stock": "C", "brand": "{{new string('x', 2 * 1024 * 1024)}}"}""")),
            HttpStatusCode.RequestEntityTooLarge, null, "64 KB")),
        new("mapping_with_sql_and_script_column_names", async run =>
        {
            var mapping = new { part_number = "'; DROP TABLE inventory_column_mappings;--", price = "<script>x</script>", stock = "=1+1", location = "SUCURSAL" };
            Assert.Equal(HttpStatusCode.OK, (await run.Client.PutAsJsonAsync(Mapping, mapping)).StatusCode);
            var saved = (await (await run.Client.GetAsync(Mapping)).JsonAsync())["mapping"]!;
            Assert.Equal(("'; DROP TABLE inventory_column_mappings;--", "<script>x</script>", "=1+1"),
                (saved["part_number"]!.GetValue<string>(), saved["price"]!.GetValue<string>(), saved["stock"]!.GetValue<string>()));
        }),
        new("upload_request_with_sql_in_the_file_name", async run =>
        {
            var response = await run.Client.PostAsJsonAsync("/api/inventory/uploads", new { filename = "x'); DROP TABLE inventory_uploads;--.csv" });
            Assert.Equal(HttpStatusCode.Created, response.StatusCode);
            var history = await (await run.Client.GetAsync("/api/inventory/uploads")).JsonAsync();
            Assert.Equal("x'); DROP TABLE inventory_uploads;--.csv", history["items"]![0]!["filename"]!.GetValue<string>());
        }),
        new("search_with_sql_injection", async run =>
        {
            var response = await run.Fixture.AnonymousClient().GetAsync("/api/parts/search?q=" + Uri.EscapeDataString("' OR '1'='1' --"));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Empty((await response.JsonAsync())["items"]!.AsArray());
        }),
        new("search_term_of_4000_characters", async run => await run.RefusedAsync(
            await run.Fixture.AnonymousClient().GetAsync("/api/parts/search?name=" + new string('a', 4000)), HttpStatusCode.BadRequest, "name", "at most 100")),
        new("query_number_overflow", async run => await run.RefusedAsync(
            await run.Client.GetAsync("/api/inventory/uploads?page=99999999999999999999&page_size=-1"), HttpStatusCode.BadRequest, "page", "número entero")),
        new("route_id_overflow", async run =>
            await ProblemAssert.IsProblemAsync(await run.Client.GetAsync("/api/inventory/uploads/99999999999999999999"), HttpStatusCode.NotFound)),
        new("multipart_body_cut_off_mid_file", async run => await run.RefusedAsync(
            await run.Client.PostAsync("/api/inventory/upload", Multipart("--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.csv\"\r\n\r\nPARTE,PRECIO\nABC")),
            HttpStatusCode.BadRequest, "form", "incompleto")),
        new("multipart_part_with_100_headers", async run => await run.RefusedAsync(
            await run.Client.PostAsync("/api/inventory/upload", Multipart("--b\r\n" + string.Concat(Enumerable.Range(0, 100).Select(i => $"X-H{i}: {i}\r\n"))
                + "Content-Disposition: form-data; name=\"file\"; filename=\"a.csv\"\r\n\r\nPARTE\r\n--b--\r\n")),
            HttpStatusCode.BadRequest, "form", "mal formado")),
        new("multipart_without_boundary", async run => await run.RefusedAsync(
            await run.Client.PostAsync("/api/inventory/upload", new StringContent("x", Encoding.UTF8, "multipart/form-data")),
            HttpStatusCode.UnsupportedMediaType, null, "multipart/form-data")),
        new("multipart_field_over_64_kb", async run =>
        {
            using var form = new MultipartFormDataContent { { new StringContent(new string('m', 100_000)), "mode" } };
            await run.RefusedAsync(await run.Client.PostAsync("/api/inventory/upload", form), HttpStatusCode.BadRequest, "form", "64 KB");
        }),
        new("multipart_with_two_files", async run =>
        {
            using var form = new MultipartFormDataContent();
            form.Add(new ByteArrayContent(Encoding.UTF8.GetBytes(Csv("ABC-123,1,1,Centro,,"))), "file", "uno.csv");
            form.Add(new ByteArrayContent(Encoding.UTF8.GetBytes(Csv("XYZ 789,1,1,Centro,,"))), "file", "dos.csv");
            await run.RefusedAsync(await run.Client.PostAsync("/api/inventory/upload", form), HttpStatusCode.BadRequest, "file", "un solo archivo");
            var history = await (await run.Client.GetAsync("/api/inventory/uploads")).JsonAsync();
            Assert.Equal("failed", history["items"]![0]!["status"]!.GetValue<string>());
        }),
        new("multipart_mapping_not_json", async run => await run.RefusedAsync(
            await run.PostFileAsync(HostileFile.Of("a.csv", Csv("ABC-123,1,1,Centro,,")), mappingJson: "{\"part_number\": \"PARTE\", "),
            HttpStatusCode.BadRequest, "mapping", "No es JSON válido")),
        new("refresh_token_oversized_with_sql", async run =>
        {
            var response = await run.Fixture.AnonymousClient().RefreshAsync("' OR 1=1; --" + new string('r', 60_000));
            await run.RefusedAsync(response, HttpStatusCode.Unauthorized, null, "unknown, expired, revoked or already used");
        }),
    ];

    private static ByteArrayContent Json(string body) => Json(Encoding.UTF8.GetBytes(body));

    private static ByteArrayContent Json(byte[] body)
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        return content;
    }

    /// <summary>A JSON body sent without a Content-Length (chunked), so only reading it tells its size.</summary>
    private static StreamContent Chunked(Stream body)
    {
        var content = new StreamContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        return content;
    }

    private static ByteArrayContent Multipart(string body)
    {
        var content = new ByteArrayContent(Encoding.UTF8.GetBytes(body));
        content.Headers.ContentType = MediaTypeHeaderValue.Parse("multipart/form-data; boundary=b");
        return content;
    }
}
