using Nexus.Functions.Hosting;
using System.Security.Claims;
using System.Text;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using Nexus.Core.CatalogImport;
using Nexus.Core.Inventory;
using Nexus.Functions.Auth;
using Nexus.Functions.Inventory;

namespace Nexus.Functions.CatalogImport;

/// <summary>
/// Supplier article feeds (issue #4): upload a CSV, watch its import, download its problems. ADMIN and OWNER only.
/// The file is streamed into storage and processed by the CatalogImport queue function.
/// </summary>
public static class CatalogImportEndpoints
{
    public static void MapCatalogImportEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/admin/catalog-imports").WithTags("Catalog import").RequireAuthorization(Policies.Admin);
        group.MapPost("/", UploadAsync).Unqueued();
        group.MapGet("/", ListAsync);
        group.MapGet("/{id:long}", GetAsync);
        group.MapGet("/{id:long}/problems.csv", ProblemsCsvAsync);
    }

    /// <summary>multipart/form-data with the feed in the field "file"; other fields are ignored. 202 with the pending import.</summary>
    private static async Task<IResult> UploadAsync(
        HttpContext context, ClaimsPrincipal user, CatalogImportIntake intake, CatalogImportHistory history,
        IOptions<CatalogImportOptions> options, CancellationToken ct)
    {
        if (MultipartSections.Reader(context.Request) is not { } reader)
        {
            return InventoryProblems.NotMultipart("file");
        }
        // The app enforces the file's limit itself (413 problem); the server's default cap (30 MB) must not cut in first.
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } bodyLimit)
        {
            bodyLimit.MaxRequestBodySize = options.Value.MaxUploadBytes + 1024 * 1024;
        }
        while (await reader.NextAsync(ct) is { } section)
        {
            if (section.Name != "file" || section.FileName is null)
            {
                continue;
            }
            if (CatalogImportFileName.Problem(section.FileName) is { } fileProblem)
            {
                return Results.ValidationProblem(new Dictionary<string, string[]> { ["file"] = [fileProblem] });
            }
            return await intake.ReceiveAsync(user.UserId(), UploadFileName.Clean(section.FileName), section.Body, ct) switch
            {
                CatalogImportIntakeResult.Queued queued => Results.Accepted(ImportLocation(queued.ImportId), await history.GetAsync(queued.ImportId, ct)),
                CatalogImportIntakeResult.TooLarge tooLarge => InventoryProblems.TooLarge(tooLarge.Limit),
                var other => throw new InvalidOperationException($"Unexpected result {other}."),
            };
        }
        return Results.ValidationProblem(new Dictionary<string, string[]>
        {
            ["file"] = ["Falta el archivo de artículos: envíalo en el campo \"file\". / The article feed is missing: send it in the \"file\" field."],
        });
    }

    private static async Task<IResult> ListAsync(
        CatalogImportHistory history, CancellationToken ct,
        [FromQuery] string? page = null, [FromQuery(Name = "page_size")] string? pageSize = null)
    {
        var errors = new Dictionary<string, string[]>();
        var pageNumber = InventoryProblems.Int(page, 1, 1, 1_000_000, "page", errors);
        var size = InventoryProblems.Int(pageSize, CatalogImportPage.DefaultPageSize, 1, CatalogImportPage.MaxPageSize, "page_size", errors);
        if (errors.Count > 0)
        {
            return Results.ValidationProblem(errors);
        }
        return Results.Ok(await history.ListAsync(pageNumber, size, ct));
    }

    private static async Task<IResult> GetAsync(long id, CatalogImportHistory history, CancellationToken ct) =>
        await history.GetAsync(id, ct) is { } import ? Results.Ok(import) : ImportNotFound(id);

    /// <summary>The import's problems as CSV, UTF-8 with a BOM so Excel shows accents, formula-like cells neutralised.</summary>
    private static async Task<IResult> ProblemsCsvAsync(long id, HttpContext context, CatalogImportHistory history, CancellationToken ct)
    {
        var response = context.Response;
        StreamWriter? writer = null;
        var found = await history.WriteProblemsAsync(id, async row =>
        {
            await (writer ??= await StartCsvAsync(response, id)).WriteAsync(CatalogImportProblemsCsv.Line(row) + "\r\n");
        }, ct);
        if (!found)
        {
            return ImportNotFound(id);
        }
        writer ??= await StartCsvAsync(response, id);
        await writer.DisposeAsync();
        return Results.Empty;
    }

    private static async Task<StreamWriter> StartCsvAsync(HttpResponse response, long id)
    {
        response.ContentType = "text/csv; charset=utf-8";
        response.Headers.ContentDisposition = $"attachment; filename=\"problemas-importacion-{id}.csv\"";
        await response.Body.WriteAsync(Encoding.UTF8.Preamble.ToArray());
        var writer = new StreamWriter(response.Body, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false), bufferSize: 16 * 1024, leaveOpen: true);
        await writer.WriteAsync(CatalogImportProblemsCsv.Header + "\r\n");
        return writer;
    }

    private static IResult ImportNotFound(long id) => Results.Problem(statusCode: StatusCodes.Status404NotFound,
        title: "Importación no encontrada / Import not found",
        detail: $"No existe la importación de artículos {id}. / There is no catalog import {id}.");

    private static string ImportLocation(long importId) => $"/api/admin/catalog-imports/{importId}";
}
