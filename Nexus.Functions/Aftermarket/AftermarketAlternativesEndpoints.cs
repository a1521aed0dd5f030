using Nexus.Core.Aftermarket;

namespace Nexus.Functions.Aftermarket;

public static class AftermarketAlternativesEndpoints
{
    /// <summary>Public: the aftermarket alternatives of an OEM part, with whether any active bodega has them in stock.</summary>
    public static void MapAftermarketAlternativesEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/parts/{id:int}/aftermarket", async (int id, AftermarketAlternatives alternatives, CancellationToken cancellationToken) =>
            await alternatives.ForPartAsync(id, cancellationToken) is { } list
                ? Results.Ok(list)
                : Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "Part not found", detail: $"Part {id} does not exist."))
            .WithTags("Catalog")
            .AllowAnonymous();
    }
}
