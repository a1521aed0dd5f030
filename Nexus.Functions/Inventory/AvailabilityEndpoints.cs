using Microsoft.AspNetCore.Mvc;
using Nexus.Core.Inventory;
using Nexus.Functions.Auth;

namespace Nexus.Functions.Inventory;

/// <summary>What talleres see of the bodegas' inventories: prices and stock of a part and of its aftermarket alternatives.</summary>
public static class AvailabilityEndpoints
{
    public static void MapAvailabilityEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/parts/{id:int}/availability", GetAvailabilityAsync).WithTags("Availability").RequireAuthorization(Policies.Taller);
    }

    private static async Task<IResult> GetAvailabilityAsync(
        int id, PartAvailability availability, CancellationToken ct, [FromQuery(Name = "include_out_of_stock")] string? includeOutOfStock = null)
    {
        var errors = new Dictionary<string, string[]>();
        var includeEmpty = InventoryProblems.Bool(includeOutOfStock, "include_out_of_stock", errors);
        if (errors.Count > 0)
        {
            return Results.ValidationProblem(errors);
        }
        return await availability.GetAsync(id, includeEmpty, ct) is { } result
            ? Results.Ok(result)
            : Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "Pieza no encontrada / Part not found",
                detail: $"No existe la pieza {id}. / There is no part {id}.");
    }
}
