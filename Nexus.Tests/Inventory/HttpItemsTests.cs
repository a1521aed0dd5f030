using System.Net;
using System.Text.Json.Nodes;
using Dapper;
using Nexus.Core.Auth;
using Nexus.Tests.Infrastructure;

namespace Nexus.Tests.Inventory;

/// <summary>A bodega's own inventory over HTTP (search, paging, clearing) and what talleres see of all bodegas.</summary>
public sealed class HttpItemsTests(HttpInventoryFixture fixture) : IClassFixture<HttpInventoryFixture>
{
    private static IEnumerable<string> Numbers(JsonObject page) => page["items"]!.AsArray().Select(i => i!["part_number"]!.GetValue<string>());

    [Fact]
    public async Task Items_are_paged_and_searched_by_normalised_number_prefix_or_name_and_location()
    {
        var (user, client) = await fixture.BodegaAsync();
        await fixture.InsertItemsAsync(user.Id,
            (1, null, 10m, 1, "Centro"), (2, null, 20m, 2, "Centro"), (3, null, 30m, 3, "Norte"),
            (4, null, 40m, 4, "Norte"), (5, null, 50m, 5, "Centro"), (null, 1, 60m, 6, "Centro"));

        var all = await (await client.GetAsync("/api/inventory/items?page_size=4")).JsonAsync();
        Assert.Equal(6, all["total"]!.GetValue<long>());
        Assert.Equal(["0 986 AB2 854", "ABC-123", "ABD-555", "GT-100"], Numbers(all));
        var second = await (await client.GetAsync("/api/inventory/items?page=2&page_size=4")).JsonAsync();
        Assert.Equal(["K/55.1", "XYZ 789"], Numbers(second));
        Assert.Equal(("Gates", "Filtro Gates", 1), (all["items"]![3]!["manufacturer"]!.GetValue<string>(), all["items"]![3]!["name"]!.GetValue<string>(),
            all["items"]![3]!["aftermarket_part_id"]!.GetValue<int>()));

        Assert.Equal(["ABC-123", "ABD-555"], Numbers(await (await client.GetAsync("/api/inventory/items?q=ab")).JsonAsync()));
        Assert.Equal(["0 986 AB2 854"], Numbers(await (await client.GetAsync("/api/inventory/items?q=0986-ab2")).JsonAsync()));
        Assert.Equal(["K/55.1"], Numbers(await (await client.GetAsync("/api/inventory/items?q=k55")).JsonAsync()));
        Assert.Equal(["K/55.1"], Numbers(await (await client.GetAsync("/api/inventory/items?q=DISTRIBUCION")).JsonAsync()));
        Assert.Equal(["ABC-123", "GT-100"], Numbers(await (await client.GetAsync("/api/inventory/items?q=filtro")).JsonAsync()));
        Assert.Empty(Numbers(await (await client.GetAsync("/api/inventory/items?q=%25")).JsonAsync()));
        Assert.Equal(["0 986 AB2 854", "ABD-555"], Numbers(await (await client.GetAsync("/api/inventory/items?location=Norte")).JsonAsync()));

        await ProblemAssert.IsValidationProblemAsync(await client.GetAsync("/api/inventory/items?page=0"), "page");
        await ProblemAssert.IsValidationProblemAsync(await client.GetAsync("/api/inventory/items?page_size=abc"), "page_size");
    }

    [Fact]
    public async Task Delete_clears_one_location_or_everything_and_only_the_callers_rows()
    {
        var (user, client) = await fixture.BodegaAsync();
        var (other, otherClient) = await fixture.BodegaAsync();
        await fixture.InsertItemsAsync(user.Id, (1, null, 10m, 1, "Centro"), (2, null, 20m, 2, "Norte"), (3, null, 30m, 3, "Norte"), (4, null, 1m, 1, ""));
        await fixture.InsertItemsAsync(other.Id, (1, null, 11m, 1, "Norte"));

        var norte = await (await client.DeleteAsync("/api/inventory/items?location=Norte")).JsonAsync();
        Assert.Equal(2, norte["deleted"]!.GetValue<int>());
        Assert.Equal(["ABC-123", "ABD-555"], Numbers(await (await client.GetAsync("/api/inventory/items")).JsonAsync()));

        var unlocated = await (await client.DeleteAsync("/api/inventory/items?location=")).JsonAsync();
        Assert.Equal(1, unlocated["deleted"]!.GetValue<int>());

        var rest = await (await client.DeleteAsync("/api/inventory/items")).JsonAsync();
        Assert.Equal(1, rest["deleted"]!.GetValue<int>());
        Assert.Equal(0, (await (await client.GetAsync("/api/inventory/items")).JsonAsync())["total"]!.GetValue<long>());

        var untouched = await (await otherClient.GetAsync("/api/inventory/items")).JsonAsync();
        Assert.Equal(["ABC-123"], Numbers(untouched));
    }

    [Fact]
    public async Task Delete_waits_for_the_importers_lock_on_the_same_bodega()
    {
        var (user, client) = await fixture.BodegaAsync();
        await fixture.InsertItemsAsync(user.Id, (1, null, 10m, 1, "Centro"));
        await using var connection = await fixture.Database.DataSource.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        await connection.ExecuteAsync("SELECT pg_advisory_xact_lock(30001, @id)", new { id = user.Id }, transaction);

        var delete = client.DeleteAsync("/api/inventory/items");
        var waited = await WaitForLockWaitAsync(user.Id);
        Assert.True(waited, "DELETE did not wait on the (30001, user) advisory lock");
        Assert.False(delete.IsCompleted);
        // What the importer writes while holding the lock is deleted too, once the DELETE gets the lock.
        await connection.ExecuteAsync(
            "INSERT INTO warehouse_inventory (user_id, part_id, price, stock_quantity, warehouse_location) VALUES (@id, 2, 5, 1, 'Centro')",
            new { id = user.Id }, transaction);
        await transaction.CommitAsync();

        Assert.Equal(2, (await (await delete).JsonAsync())["deleted"]!.GetValue<int>());
    }

    private async Task<bool> WaitForLockWaitAsync(int userId)
    {
        const string sql = """
            SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND NOT granted AND classid = 30001::oid AND objid = @userId::oid
                             AND database = (SELECT oid FROM pg_database WHERE datname = current_database()))
            """;
        await using var connection = await fixture.Database.DataSource.OpenConnectionAsync();
        for (var i = 0; i < 100; i++)
        {
            if (await connection.ExecuteScalarAsync<bool>(sql, new { userId }))
            {
                return true;
            }
            await Task.Delay(100);
        }
        return false;
    }

    [Fact]
    public async Task Availability_is_cheapest_first_from_active_bodegas_with_stock_and_lists_aftermarket_offers()
    {
        var (cheap, _) = await fixture.BodegaAsync("Refacciones del Norte");
        var (central, _) = await fixture.BodegaAsync("Bodega Central MX");
        var (empty, _) = await fixture.BodegaAsync("Sin Existencias");
        var (inactive, _) = await fixture.BodegaAsync("Bodega Dada de Baja");
        await fixture.InsertItemsAsync(cheap.Id, (1, null, 440m, 3, "Monterrey"), (null, 2, 300m, 5, "Monterrey"), (2, null, 1m, 1, "Monterrey"));
        await fixture.InsertItemsAsync(central.Id, (1, null, 450m, 12, "Guadalajara"), (null, 1, 250m, 2, "Guadalajara"), (null, 3, 100m, 0, "Guadalajara"));
        await fixture.InsertItemsAsync(empty.Id, (1, null, 100m, 0, "Puebla"));
        await fixture.InsertItemsAsync(inactive.Id, (1, null, 50m, 9, "León"), (null, 1, 10m, 9, "León"));
        await using (var connection = await fixture.Database.DataSource.OpenConnectionAsync())
        {
            await connection.ExecuteAsync("UPDATE users SET is_active = false WHERE id_user = @id", new { id = inactive.Id });
        }
        using var taller = await fixture.App.CreateClientAsync(Roles.Taller);

        var availability = await (await taller.GetAsync("/api/parts/1/availability")).JsonAsync();
        Assert.Equal(("ABC-123", "Filtro de aceite"), (availability["part_number"]!.GetValue<string>(), availability["name"]!.GetValue<string>()));
        var offers = availability["availability"]!.AsArray();
        Assert.Equal([("Refacciones del Norte", 440m, 3, "Monterrey"), ("Bodega Central MX", 450m, 12, "Guadalajara")],
            offers.Select(o => (o!["business_name"]!.GetValue<string>(), o["price"]!.GetValue<decimal>(), o["stock_quantity"]!.GetValue<int>(),
                o["warehouse_location"]!.GetValue<string>())));
        Assert.Equal(1, offers[0]!["min_order_quantity"]!.GetValue<int>());
        Assert.NotNull(offers[0]!["updated_at"]);
        var aftermarket = availability["aftermarket"]!.AsArray();
        Assert.Equal([("Gates", "GT-100", 250m, "Bodega Central MX"), ("Gates", "GT-200", 300m, "Refacciones del Norte")],
            aftermarket.Select(o => (o!["manufacturer"]!.GetValue<string>(), o["part_number"]!.GetValue<string>(), o["price"]!.GetValue<decimal>(),
                o["business_name"]!.GetValue<string>())));

        var withEmpty = await (await taller.GetAsync("/api/parts/1/availability?include_out_of_stock=true")).JsonAsync();
        Assert.Equal(["Sin Existencias", "Refacciones del Norte", "Bodega Central MX"],
            withEmpty["availability"]!.AsArray().Select(o => o!["business_name"]!.GetValue<string>()));
        Assert.Equal(["BR-9", "GT-100", "GT-200"], withEmpty["aftermarket"]!.AsArray().Select(o => o!["part_number"]!.GetValue<string>()));

        await ProblemAssert.IsProblemAsync(await taller.GetAsync("/api/parts/999999/availability"), HttpStatusCode.NotFound);
        await ProblemAssert.IsValidationProblemAsync(await taller.GetAsync("/api/parts/1/availability?include_out_of_stock=maybe"), "include_out_of_stock");
        var none = await (await taller.GetAsync("/api/parts/4/availability")).JsonAsync();
        Assert.Empty(none["availability"]!.AsArray());
        Assert.Empty(none["aftermarket"]!.AsArray());
    }

    [Theory]
    [InlineData(Roles.Bodega, HttpStatusCode.OK)]
    [InlineData(Roles.Admin, HttpStatusCode.OK)]
    [InlineData(Roles.Owner, HttpStatusCode.OK)]
    [InlineData(Roles.Taller, HttpStatusCode.Forbidden)]
    public async Task Inventory_routes_are_for_bodegas_admins_and_owners(string role, HttpStatusCode expected)
    {
        using var client = await fixture.App.CreateClientAsync(role);
        Assert.Equal(expected, (await client.GetAsync("/api/inventory/items")).StatusCode);
        Assert.Equal(expected, (await client.GetAsync("/api/inventory/uploads")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await fixture.App.CreateClient().GetAsync("/api/inventory/items")).StatusCode);
    }

    [Fact]
    public async Task Availability_is_for_talleres_and_admins_not_bodegas()
    {
        var (_, bodega) = await fixture.BodegaAsync();
        Assert.Equal(HttpStatusCode.Forbidden, (await bodega.GetAsync("/api/parts/1/availability")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await fixture.App.CreateClient().GetAsync("/api/parts/1/availability")).StatusCode);
        using var owner = await fixture.App.CreateClientAsync(Roles.Owner);
        Assert.Equal(HttpStatusCode.OK, (await owner.GetAsync("/api/parts/1/availability")).StatusCode);
    }
}
