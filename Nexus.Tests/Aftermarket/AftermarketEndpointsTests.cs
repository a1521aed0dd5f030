using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Nexus.Core.Aftermarket;
using Nexus.Tests.Infrastructure;

namespace Nexus.Tests.Aftermarket;

/// <summary>
/// The migration's HTTP surface on the real host. Batches are driven here through the worker service; should a queue
/// listener in the host take a message first, the idempotent worker makes the outcome the same.
/// </summary>
public sealed class AftermarketEndpointsTests : IAsyncLifetime
{
    private TestDatabase _database = null!;
    private AftermarketCatalog _catalog = null!;
    private NexusApp _app = null!;

    public async Task InitializeAsync()
    {
        _database = await TestDatabase.CreateAsync();
        _catalog = await AftermarketCatalog.CreateAsync(_database.DataSource);
        _app = new NexusApp(_database);
    }

    public async Task DisposeAsync()
    {
        await _app.DisposeAsync();
        await _database.DisposeAsync();
    }

    [Fact]
    public async Task Migration_endpoints_need_an_admin()
    {
        var anonymous = _app.CreateClient();
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/api/admin/migrations")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.PostAsJsonAsync("/api/admin/migrations/aftermarket", new { })).StatusCode);
        var taller = await _app.CreateClientAsync("TALLER");
        Assert.Equal(HttpStatusCode.Forbidden, (await taller.PostAsJsonAsync("/api/admin/migrations/aftermarket", new { })).StatusCode);
    }

    [Fact]
    public async Task An_admin_plans_follows_reports_and_reverts_a_run()
    {
        var adminUser = await _app.CreateUserAsync("ADMIN");
        var admin = _app.CreateClient().WithBearer(adminUser.AccessToken);
        Assert.Equal(HttpStatusCode.BadRequest, (await admin.PostAsJsonAsync("/api/admin/migrations/aftermarket", new { batch_size = 5 })).StatusCode);

        var planned = await admin.PostAsJsonAsync("/api/admin/migrations/aftermarket", new { dry_run = false, batch_size = 100 });
        Assert.Equal(HttpStatusCode.Accepted, planned.StatusCode);
        var run = await planned.Content.ReadFromJsonAsync<JsonElement>();
        var id = run.GetProperty("id").GetInt64();
        Assert.Equal($"/api/admin/migrations/{id}", planned.Headers.Location?.OriginalString);
        Assert.Equal((10, 1, adminUser.Id), (run.GetProperty("total").GetInt32(), run.GetProperty("batches_total").GetInt32(), run.GetProperty("created_by").GetInt32()));

        await _app.Services.GetRequiredService<AftermarketBatchWorker>().ProcessAsync(new MigrationBatchMessage(id, 1), CancellationToken.None);

        var details = await admin.GetFromJsonAsync<JsonElement>($"/api/admin/migrations/{id}");
        var state = details.GetProperty("run");
        Assert.Equal(("completed", 5, 5, 0), (state.GetProperty("status").GetString(), state.GetProperty("migrated").GetInt32(),
            state.GetProperty("unresolved").GetInt32(), state.GetProperty("failed").GetInt32()));
        var batch = details.GetProperty("batches")[0];
        Assert.Equal(("completed", 10), (batch.GetProperty("status").GetString(), batch.GetProperty("parts").GetInt32()));
        Assert.NotEqual(JsonValueKind.Null, batch.GetProperty("completed_at").ValueKind);
        var list = await admin.GetFromJsonAsync<JsonElement>("/api/admin/migrations");
        Assert.Contains(list.EnumerateArray(), r => r.GetProperty("id").GetInt64() == id);

        var report = await admin.GetAsync($"/api/admin/migrations/{id}/report.csv");
        Assert.Equal("text/csv", report.Content.Headers.ContentType?.MediaType);
        var lines = (await report.Content.ReadAsStringAsync()).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(MigrationReportCsv.Header, lines[0]);
        Assert.Equal(6, lines.Length);
        Assert.Contains(lines, l => l.StartsWith($"{_catalog["A11"]},AFT--5-BOSCH,unresolved,'-5,BOSCH,", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith($"{_catalog["A5"]},AFT-Z1-NOBODY,unresolved,,,no_manufacturer", StringComparison.Ordinal));

        var alternatives = await _app.CreateClient().GetFromJsonAsync<JsonElement>($"/api/parts/{_catalog["O2"]}/aftermarket");
        var only = Assert.Single(alternatives.EnumerateArray());
        Assert.Equal(("PARTQUIP", "AC-191", "Balata", false), (only.GetProperty("manufacturer").GetString(), only.GetProperty("part_number").GetString(),
            only.GetProperty("name").GetString(), only.GetProperty("in_stock").GetBoolean()));
        Assert.False(only.TryGetProperty("price", out _));

        var reverted = await admin.PostAsync($"/api/admin/migrations/{id}/revert", null);
        Assert.Equal(HttpStatusCode.OK, reverted.StatusCode);
        Assert.Equal("reverted", (await reverted.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status").GetString());
        var again = await admin.PostAsync($"/api/admin/migrations/{id}/revert", null);
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        Assert.Equal("application/problem+json", again.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Refusals_are_problem_details()
    {
        await using (var connection = await _database.DataSource.OpenConnectionAsync())
        {
            await connection.ExecuteAsync("INSERT INTO aftermarket_migration_runs (status, dry_run, batch_size) VALUES ('running', true, 100)");
        }
        var admin = await _app.CreateClientAsync("OWNER");

        var busy = await admin.PostAsJsonAsync("/api/admin/migrations/aftermarket", new { dry_run = true });
        Assert.Equal(HttpStatusCode.Conflict, busy.StatusCode);
        Assert.Equal("application/problem+json", busy.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.GetAsync("/api/admin/migrations/999999")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.GetAsync("/api/admin/migrations/999999/report.csv")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.PostAsync("/api/admin/migrations/999999/retry", null)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _app.CreateClient().GetAsync("/api/parts/999999/aftermarket")).StatusCode);
    }

    [Theory]
    [InlineData("=SUM(A1)", "'=SUM(A1)")]
    [InlineData("+1", "'+1")]
    [InlineData("-5", "'-5")]
    [InlineData("@cmd", "'@cmd")]
    [InlineData("\tx", "'\tx")]
    [InlineData("\0x", "'x")]
    [InlineData("a,b", "\"a,b\"")]
    [InlineData("say \"hi\"", "\"say \"\"hi\"\"\"")]
    [InlineData("AC191", "AC191")]
    public void Report_cells_cannot_become_formulas(string value, string expected) =>
        Assert.Equal(expected, Nexus.Core.Csv.SafeCsv.Cell(value));
}
