using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Nexus.Core.DataSets;
using Nexus.Tests.Infrastructure;

namespace Nexus.Tests.Catalog;

public sealed class CatalogEndpointsTests : IAsyncLifetime
{
    private TestDatabase _database = null!;
    private NexusApp _app = null!;
    private HttpClient _client = null!;

    public async Task InitializeAsync()
    {
        _database = await TestDatabase.CreateAsync("demo", ds => DataSetGenerator.SeedAsync(ds, DataSetSize.Demo));
        _app = new NexusApp(_database);
        _client = _app.CreateClient();
    }

    public async Task DisposeAsync()
    {
        await _app.DisposeAsync();
        await _database.DisposeAsync();
    }

    [Theory]
    [InlineData("number=0 986 AB2 854")]
    [InlineData("q=0 986 AB2 854")]
    [InlineData("q=0986-ab2")]
    public async Task Number_search_matches_the_normalised_prefix(string query)
    {
        var page = await SearchAsync(query);
        Assert.Contains(page.Items, p => p.OemPartNumber == DataSetLandmarks.BoschPadsNumber);
        Assert.All(page.Items, p => Assert.StartsWith("0986AB2", Normalize(p.OemPartNumber)));
    }

    [Fact]
    public async Task Number_search_finds_parts_by_cross_reference_and_aftermarket_numbers()
    {
        var byCrossReference = await SearchAsync("q=AC191");
        Assert.Contains(byCrossReference.Items, p => p.IdPart == DataSetLandmarks.NissanPadsId);

        var byHyphenatedArticle = await SearchAsync("number=10-0058");
        Assert.Contains(byHyphenatedArticle.Items, p => p.IdPart == DataSetLandmarks.SentraControlArmId);
        Assert.Contains(byHyphenatedArticle.Items, p => p.IdPart == DataSetLandmarks.JettaDiscId);

        var byAftermarketPart = await SearchAsync("number=6497 10");
        Assert.Contains(byAftermarketPart.Items, p => p.IdPart == DataSetLandmarks.NissanPadsId);
    }

    [Fact]
    public async Task Name_search_ignores_accents_and_case()
    {
        var page = await SearchAsync("q=SUSPENSION&page_size=100");
        Assert.Contains(page.Items, p => p.NamePart == DataSetLandmarks.SentraControlArmName);
        Assert.All(page.Items, p => Assert.Contains("suspensión", p.NamePart, StringComparison.OrdinalIgnoreCase));

        var accented = await SearchAsync("name=cigüeñal");
        Assert.NotEmpty(accented.Items);
        Assert.All(accented.Items, p => Assert.Contains("cigüeñal", p.NamePart, StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task Wildcards_typed_by_the_user_are_literal()
    {
        Assert.Empty((await SearchAsync("name=%%%")).Items);
        Assert.Empty((await SearchAsync("number=0986_B2")).Items);
    }

    [Fact]
    public async Task Aftermarket_rows_stay_out_of_search_unless_asked()
    {
        var oemOnly = await SearchAsync("name=balata&page_size=100");
        Assert.NotEmpty(oemOnly.Items);
        Assert.DoesNotContain(oemOnly.Items, p => p.OemPartNumber.StartsWith("AFT-", StringComparison.Ordinal));

        var withAft = await SearchAsync("number=AFT-AC191&include_aftermarket=true");
        Assert.Contains(withAft.Items, p => p.OemPartNumber == "AFT-AC191-PARTQUIP");
        Assert.Empty((await SearchAsync("number=AFT-AC191")).Items);
    }

    [Fact]
    public async Task Vehicle_and_category_filters_narrow_the_search()
    {
        var categories = await _client.GetFromJsonAsync<List<CategoryDto>>("/api/categories", Json);
        var frenos = categories!.Single(c => c.NameCategory == "Frenos");

        var page = await SearchAsync($"brand=nissan&model=TSURU&year=2016&category_id={frenos.IdCategory}&page_size=100");
        Assert.Contains(page.Items, p => p.IdPart == DataSetLandmarks.BoschPadsId);
        Assert.All(page.Items, p => Assert.Equal("Frenos", p.NameCategory));
        foreach (var item in page.Items.Take(5))
        {
            var detail = await _client.GetFromJsonAsync<PartDetailDto>($"/api/parts/{item.IdPart}", Json);
            Assert.Contains(detail!.Vehicles, v => v is { Brand: "Nissan", Model: "Tsuru", Year: 2016 });
        }

        var other = await SearchAsync($"brand=Nissan&model=Tsuru&year=2016&name=balata");
        Assert.All(other.Items, p => Assert.Contains("balata", p.NamePart, StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task Pages_follow_each_other_without_overlap()
    {
        var first = await SearchAsync("name=filtro&page=1&page_size=10");
        var second = await SearchAsync("name=filtro&page=2&page_size=10");
        var both = await SearchAsync("name=filtro&page=1&page_size=20");

        Assert.True(first.HasMore);
        Assert.Equal(10, first.Items.Count);
        Assert.Equal(both.Items.Select(p => p.IdPart), first.Items.Concat(second.Items).Select(p => p.IdPart));
        Assert.Equal(2, second.Page);

        var last = await SearchAsync($"number={DataSetLandmarks.BoschPadsNumber}");
        Assert.False(last.HasMore);
    }

    [Fact]
    public async Task Broad_number_prefix_pages_in_id_order_and_applies_the_other_filters()
    {
        var first = await SearchAsync("number=0986&page=1&page_size=10");
        var second = await SearchAsync("number=0986&page=2&page_size=10");
        var both = await SearchAsync("number=0986&page=1&page_size=20");

        Assert.True(second.HasMore);
        var ids = both.Items.Select(p => p.IdPart).ToList();
        Assert.Equal(ids, first.Items.Concat(second.Items).Select(p => p.IdPart));
        Assert.Equal(ids.Order(), ids);

        var categories = await _client.GetFromJsonAsync<List<CategoryDto>>("/api/categories", Json);
        var frenos = categories!.Single(c => c.NameCategory == "Frenos");
        var inFrenos = await SearchAsync($"number=0986&category_id={frenos.IdCategory}&page_size=100");
        Assert.NotEmpty(inFrenos.Items);
        Assert.All(inFrenos.Items, p => Assert.Equal("Frenos", p.NameCategory));
        var named = await SearchAsync("number=0986&name=balata&page_size=100");
        Assert.NotEmpty(named.Items);
        Assert.All(named.Items, p => Assert.Contains("balata", p.NamePart, StringComparison.OrdinalIgnoreCase));
    }

    // The name search reads part_names and merges each name's parts (or, for broad terms on deep pages, scans parts
    // in id order): both must give exactly the page the plain definition gives.
    [Theory]
    [InlineData("balata", null, 1, 20)]
    [InlineData("filtro de aceite", null, 2, 10)]
    [InlineData("era", null, 1, 20)]
    [InlineData("era", null, 6, 100)] // 39 names x 601 rows wanted: over the merge budget on the demo set

    [InlineData("DELANTERA", "Frenos", 2, 5)]
    [InlineData("cigüeñal", null, 1, 100)]
    [InlineData("no such part name", null, 1, 20)]
    public async Task Name_search_pages_equal_the_plain_like_filter_in_id_order(string name, string? category, int page, int pageSize)
    {
        var categories = await _client.GetFromJsonAsync<List<CategoryDto>>("/api/categories", Json);
        int? categoryId = category is null ? null : categories!.Single(c => c.NameCategory == category).IdCategory;
        const string sql = """
            SELECT id_part FROM parts
            WHERE name_search LIKE '%' || like_escape(search_text(@name)) || '%'
              AND oem_part_number NOT LIKE 'AFT-%'
              AND (@categoryId::int IS NULL OR id_category = @categoryId)
            ORDER BY id_part
            LIMIT @limit OFFSET @offset
            """;
        await using var connection = await _database.DataSource.OpenConnectionAsync();
        var expected = (await Dapper.SqlMapper.QueryAsync<int>(connection, sql,
            new { name, categoryId, limit = pageSize + 1, offset = (page - 1) * pageSize })).ToList();

        var query = $"name={Uri.EscapeDataString(name)}&page={page}&page_size={pageSize}" + (categoryId is { } id ? $"&category_id={id}" : "");
        var result = await SearchAsync(query);

        Assert.Equal(expected.Take(pageSize), result.Items.Select(p => p.IdPart));
        Assert.Equal(expected.Count > pageSize, result.HasMore);
        if (name != "no such part name")
        {
            Assert.NotEmpty(result.Items);
        }
    }

    [Fact]
    public async Task A_part_added_under_a_new_name_is_found_by_name()
    {
        const string sql = """
            INSERT INTO parts (oem_part_number, name_part, id_category, id_manufacture)
            SELECT 'NEW-NAME-1', 'Soporte de tolva trasera', min(id_category), min(id_manufacture)
            FROM parts
            RETURNING id_part
            """;
        await using var connection = await _database.DataSource.OpenConnectionAsync();
        var id = await Dapper.SqlMapper.ExecuteScalarAsync<int>(connection, sql);

        var page = await SearchAsync("name=tolva trasera");

        Assert.Equal([id], page.Items.Select(p => p.IdPart));
    }

    [Fact]
    public async Task Searches_beyond_the_per_address_limit_get_429_while_the_rest_of_the_catalog_answers()
    {
        await using var limited = new NexusApp(_database, new Dictionary<string, string?> { ["Nexus:MaxSearchesPerAddressPerMinute"] = "3" });
        var client = limited.CreateClient();
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/parts/search?q=balata")).StatusCode);
        }

        var refused = await client.GetAsync("/api/parts/search?q=balata");

        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        Assert.InRange(refused.Headers.RetryAfter?.Delta ?? TimeSpan.Zero, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(1));
        Assert.Contains("Too many searches", await refused.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync($"/api/parts/{DataSetLandmarks.NissanPadsId}")).StatusCode);
    }

    [Theory]
    [InlineData("page=0", "page")]
    [InlineData("page_size=101", "page_size")]
    [InlineData("page_size=abc", "page_size")]
    [InlineData("page=1000&page_size=100", "page")]
    [InlineData("year=19x", "year")]
    [InlineData("category_id=-1", "category_id")]
    [InlineData("name=ab", "name")]
    [InlineData("number=0-9", "number")]
    [InlineData("include_aftermarket=maybe", "include_aftermarket")]
    public async Task Bad_parameters_are_validation_problems(string query, string field)
    {
        var response = await _client.GetAsync($"/api/parts/search?{query}");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.True(body.RootElement.GetProperty("errors").TryGetProperty(field, out _));
    }

    [Fact]
    public async Task Part_detail_has_category_manufacturer_vehicles_and_cross_references()
    {
        var detail = await _client.GetFromJsonAsync<PartDetailDto>($"/api/parts/{DataSetLandmarks.NissanPadsId}", Json);

        Assert.Equal("41060-1KA0A", detail!.OemPartNumber);
        Assert.Equal("Frenos", detail.NameCategory);
        Assert.Equal("Nissan", detail.NameManufacture);
        Assert.Equal([2015, 2016, 2017, 2018], detail.Vehicles.Select(v => (int)v.Year));
        Assert.All(detail.Vehicles, v => Assert.Equal("Versa", v.Model));
        Assert.Contains(detail.CrossReferences, x => x is { CrossReferenceNumber: "AC191", SourceRef: "PARTQUIP" });
    }

    [Fact]
    public async Task Unknown_part_is_a_404_problem()
    {
        var response = await _client.GetAsync("/api/parts/999999999");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Vehicles_can_be_browsed_by_make_model_and_year()
    {
        var makes = await _client.GetFromJsonAsync<List<JsonElement>>("/api/vehicles/makes");
        var makeNames = makes!.Select(m => m.GetProperty("make").GetString()).ToList();
        Assert.Contains("Nissan", makeNames);
        Assert.Equal(makeNames.Order(StringComparer.Ordinal), makeNames);

        var models = await _client.GetFromJsonAsync<List<JsonElement>>("/api/vehicles/makes/nissan/models");
        Assert.Contains("Tsuru", models!.Select(m => m.GetProperty("model").GetString()));

        var years = await _client.GetFromJsonAsync<List<JsonElement>>("/api/vehicles/makes/Nissan/models/Sentra/years");
        var y2010 = years!.Single(y => y.GetProperty("year").GetInt32() == 2010);
        Assert.Equal(2, y2010.GetProperty("vehicles").GetArrayLength());
        Assert.Equal(2024, years![0].GetProperty("year").GetInt32());

        Assert.Equal(HttpStatusCode.NotFound, (await _client.GetAsync("/api/vehicles/makes/Lada/models")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await _client.GetAsync("/api/vehicles/makes/Nissan/models/Beetle/years")).StatusCode);
    }

    [Fact]
    public async Task No_catalog_response_carries_prices_or_stock()
    {
        string[] urls =
        [
            "/api/parts/search?name=balata&page_size=100",
            "/api/parts/search?q=0986&include_aftermarket=true",
            $"/api/parts/{DataSetLandmarks.NissanPadsId}",
            $"/api/parts/{DataSetLandmarks.BoschPadsId}",
            "/api/categories",
            "/api/vehicles/makes",
            "/api/vehicles/makes/Nissan/models",
            "/api/vehicles/makes/Nissan/models/Tsuru/years",
        ];
        foreach (var url in urls)
        {
            var response = await _client.GetAsync(url);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var names = new List<string>();
            CollectPropertyNames(JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement, names);
            Assert.NotEmpty(names);
            Assert.DoesNotContain(names, n => n.Contains("price", StringComparison.OrdinalIgnoreCase) || n.Contains("stock", StringComparison.OrdinalIgnoreCase));
        }
    }

    private static void CollectPropertyNames(JsonElement element, List<string> names)
    {
        if (element.ValueKind == JsonValueKind.Object)
        {
            foreach (var property in element.EnumerateObject())
            {
                names.Add(property.Name);
                CollectPropertyNames(property.Value, names);
            }
        }
        else if (element.ValueKind == JsonValueKind.Array)
        {
            foreach (var item in element.EnumerateArray())
            {
                CollectPropertyNames(item, names);
            }
        }
    }

    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    private async Task<SearchPageDto> SearchAsync(string query)
    {
        var response = await _client.GetAsync($"/api/parts/search?{query}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<SearchPageDto>(Json))!;
    }

    private static string Normalize(string number) => new(number.Where(char.IsLetterOrDigit).Select(char.ToUpperInvariant).ToArray());

    private sealed record SearchPageDto(List<PartDto> Items, int Page, int PageSize, bool HasMore);

    private sealed record PartDto(int IdPart, string OemPartNumber, string NamePart, string? NameCategory, string? NameManufacture);

    private sealed record CategoryDto(int IdCategory, string NameCategory);

    private sealed record VehicleDto(int IdVehicle, string Brand, string Model, short Year, string? Engine);

    private sealed record CrossReferenceDto(string CrossReferenceNumber, string SourceRef);

    private sealed record PartDetailDto(int IdPart, string OemPartNumber, string NamePart, string? NameCategory, string? NameManufacture,
        List<VehicleDto> Vehicles, List<CrossReferenceDto> CrossReferences);
}
