using Microsoft.AspNetCore.Mvc;
using Nexus.Core.Catalog;
using Nexus.Functions.Auth;

namespace Nexus.Functions.Catalog;

/// <summary>The public catalog: search, part detail, vehicle browse and categories. Never prices or stock.</summary>
public static class CatalogEndpoints
{
    public static void MapCatalogEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api").WithTags("Catalog").AllowAnonymous();
        group.MapGet("/parts/search", SearchAsync).RequireRateLimiting(RateLimits.Search)
            .WithMetadata(new RateLimitProblem("Demasiadas búsquedas / Too many searches",
                "Demasiadas búsquedas desde esta dirección: espera {0} segundos. / Too many searches from this address: try again in {0} seconds."));
        group.MapGet("/parts/{id:int}", GetPartAsync);
        group.MapGet("/categories", async (CatalogQueries catalog, CancellationToken ct) => Results.Ok(await catalog.ListCategoriesAsync(ct)));
        group.MapGet("/vehicles/makes", async (CatalogQueries catalog, CancellationToken ct) => Results.Ok(await catalog.ListMakesAsync(ct)));
        group.MapGet("/vehicles/makes/{make}/models", ListModelsAsync);
        group.MapGet("/vehicles/makes/{make}/models/{model}/years", ListYearsAsync);
    }

    public sealed record SearchParameters(
        [FromQuery] string? Q,
        [FromQuery] string? Number,
        [FromQuery] string? Name,
        [FromQuery] string? Brand,
        [FromQuery] string? Make,
        [FromQuery] string? Model,
        [FromQuery] string? Year,
        [FromQuery(Name = "vehicle_id")] string? VehicleId,
        [FromQuery(Name = "category_id")] string? CategoryId,
        [FromQuery(Name = "include_aftermarket")] string? IncludeAftermarket,
        [FromQuery] string? Page,
        [FromQuery(Name = "page_size")] string? PageSize);

    private static async Task<IResult> SearchAsync([AsParameters] SearchParameters p, CatalogQueries catalog, CancellationToken ct)
    {
        // Values arrive as text so a malformed one gets the same field-level problem details as an out-of-range one.
        var (query, errors) = PartSearchQuery.Create(new PartSearchQuery.Raw(
            p.Q, p.Number, p.Name, p.Brand ?? p.Make, p.Model, p.Year, p.VehicleId, p.CategoryId, p.IncludeAftermarket, p.Page, p.PageSize));
        if (query is null)
        {
            return Results.ValidationProblem(errors);
        }
        return Results.Ok(await catalog.SearchPartsAsync(query, ct));
    }

    private static async Task<IResult> GetPartAsync(int id, CatalogQueries catalog, CancellationToken ct) =>
        await catalog.GetPartAsync(id, ct) is { } part
            ? Results.Ok(part)
            : Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "Part not found", detail: $"There is no part {id}.");

    private static async Task<IResult> ListModelsAsync(string make, CatalogQueries catalog, CancellationToken ct)
    {
        var models = await catalog.ListModelsAsync(make, ct);
        return models.Count > 0
            ? Results.Ok(models)
            : Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "Make not found", detail: $"No vehicles of make '{make}'.");
    }

    private static async Task<IResult> ListYearsAsync(string make, string model, CatalogQueries catalog, CancellationToken ct)
    {
        var years = await catalog.ListYearsAsync(make, model, ct);
        return years.Count > 0
            ? Results.Ok(years)
            : Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "Model not found", detail: $"No vehicles of {make} {model}.");
    }
}
