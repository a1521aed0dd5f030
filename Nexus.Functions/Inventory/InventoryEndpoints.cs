using Nexus.Functions.Hosting;
using System.Security.Claims;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;
using Nexus.Core.Inventory;
using Nexus.Functions.Auth;

namespace Nexus.Functions.Inventory;

/// <summary>
/// A bodega's inventory: uploads (direct-to-storage with a SAS URL, or multipart through the app), their history and
/// rejected rows, the column mapping and its preview, and the inventory itself. Every query is scoped to the caller's
/// user id; another bodega's upload answers 404, never 403.
/// </summary>
public static class InventoryEndpoints
{
    public sealed record UploadRequestBody(string? Filename, string? Mode, JsonElement? Mapping);

    public sealed record UploadTicketResponse(
        long UploadId,
        string UploadUrl,
        string BlobName,
        DateTimeOffset ExpiresAt,
        string Method,
        IReadOnlyDictionary<string, string> RequiredHeaders,
        string CompleteUrl);

    public sealed record MappingResponse(InventoryColumnMapping Mapping, DateTime UpdatedAt);

    public sealed record DeleteItemsResponse(int Deleted, string? Location);

    private static readonly IReadOnlyDictionary<string, string> BlockBlobHeaders = new Dictionary<string, string> { ["x-ms-blob-type"] = "BlockBlob" };

    public static void MapInventoryEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/inventory").WithTags("Inventory").RequireAuthorization(Policies.Bodega);
        group.MapPost("/uploads", RequestUploadAsync);
        group.MapPost("/uploads/{id:long}/complete", CompleteUploadAsync);
        group.MapPost("/upload", UploadFileAsync).Unqueued();
        group.MapGet("/uploads", ListUploadsAsync);
        group.MapGet("/uploads/{id:long}", GetUploadAsync);
        group.MapGet("/uploads/{id:long}/errors.csv", ErrorsCsvAsync);
        group.MapGet("/mapping", GetMappingAsync);
        group.MapPut("/mapping", PutMappingAsync);
        group.MapPost("/mapping/preview", PreviewAsync).RequireRateLimiting(RateLimits.InventoryPreview)
            .WithMetadata(new RateLimitProblem("Demasiadas vistas previas / Too many previews",
                "Pediste demasiadas vistas previas: espera {0} segundos. / Too many mapping previews: try again in {0} seconds."));
        group.MapGet("/items", ListItemsAsync);
        group.MapDelete("/items", DeleteItemsAsync);
    }

    private static async Task<IResult> RequestUploadAsync(
        UploadRequestBody body, ClaimsPrincipal user, InventoryUploadIntake intake, InventoryMappings mappings, HttpContext http, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        if (UploadFileName.Problem(body.Filename) is { } fileProblem)
        {
            errors["filename"] = [fileProblem];
        }
        var mode = InventoryProblems.Mode(body.Mode, errors);
        var mapping = ParseOptionalMapping(body.Mapping, errors);
        if (errors.Count > 0)
        {
            return Results.ValidationProblem(errors);
        }
        if (mapping is null && !await mappings.ExistsAsync(user.UserId(), ct))
        {
            return InventoryProblems.NoMapping();
        }
        UploadTicket ticket;
        try
        {
            ticket = await intake.RequestAsync(user.UserId(), UploadFileName.Clean(body.Filename), mode!, mapping, ct);
        }
        catch (UploadQuotaExceededException e)
        {
            return InventoryProblems.QuotaExceeded(http, e);
        }
        var location = UploadLocation(ticket.UploadId);
        return Results.Created(location, new UploadTicketResponse(ticket.UploadId, ticket.UploadUrl.ToString(), ticket.BlobName, ticket.ExpiresAt,
            "PUT", BlockBlobHeaders, location + "/complete"));
    }

    private static async Task<IResult> CompleteUploadAsync(
        long id, ClaimsPrincipal user, InventoryUploadIntake intake, InventoryUploadHistory history, CancellationToken ct)
    {
        return await intake.CompleteAsync(user.UserId(), id, ct) switch
        {
            UploadIntakeResult.Queued => await AcceptedAsync(user.UserId(), id, history, ct),
            UploadIntakeResult.BlobMissing => Results.Problem(statusCode: StatusCodes.Status400BadRequest,
                title: "Archivo no recibido / File not uploaded",
                detail: "El archivo todavía no está en el almacenamiento: súbelo con PUT a upload_url (encabezado x-ms-blob-type: BlockBlob) y vuelve a llamar. "
                    + "/ The file is not in storage yet: PUT it to upload_url (header x-ms-blob-type: BlockBlob), then call again."),
            UploadIntakeResult.TooLarge tooLarge => InventoryProblems.TooLarge(tooLarge.Limit),
            _ => InventoryProblems.UploadNotFound(id),
        };
    }

    /// <summary>
    /// The spec's multipart upload: field "file", optional "mode" and "mapping" (JSON) sent before it. The file is streamed
    /// into storage as it arrives and the size limit is enforced while streaming.
    /// </summary>
    private static async Task<IResult> UploadFileAsync(
        HttpContext context, ClaimsPrincipal user, InventoryUploadIntake intake, InventoryMappings mappings, InventoryUploadHistory history,
        IOptions<InventoryOptions> options, CancellationToken ct)
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
        string? modeText = null;
        string? mappingText = null;
        StoredUpload? stored = null;
        try
        {
            while (await reader.NextAsync(ct) is { } section)
            {
                if (stored is not null)
                {
                    if (section.Name is "mode" or "mapping" or "file")
                    {
                        const string order = "Envía mode y mapping antes del archivo, y un solo archivo. / Send mode and mapping before the file, and one file only.";
                        await intake.AbandonAsync(stored, order, ct);
                        return Results.ValidationProblem(new Dictionary<string, string[]> { [section.Name] = [order] });
                    }
                    continue;
                }
                switch (section.Name)
                {
                    case "mode":
                        modeText = await section.ReadTextAsync(ct);
                        break;
                    case "mapping":
                        mappingText = await section.ReadTextAsync(ct);
                        break;
                    case "file" when section.FileName is not null:
                        var (refused, result) = await ReceiveFileAsync(context, section, modeText, mappingText, user.UserId(), intake, mappings, ct);
                        if (result is UploadIntakeResult.Stored s)
                        {
                            stored = s.Upload;
                            break;
                        }
                        return refused ?? result switch
                        {
                            UploadIntakeResult.TooLarge tooLarge => InventoryProblems.TooLarge(tooLarge.Limit),
                            _ => throw new InvalidOperationException($"Unexpected result {result}."),
                        };
                }
            }
        }
        catch (UploadTooLargeException)
        {
            return Results.ValidationProblem(new Dictionary<string, string[]> { ["form"] = ["Un campo del formulario excede 64 KB. / A form field is larger than 64 KB."] });
        }
        catch (MalformedFormException)
        {
            return MalformedForm();
        }
        if (stored is null)
        {
            return Results.ValidationProblem(new Dictionary<string, string[]>
            {
                ["file"] = ["Falta el archivo: envíalo en el campo \"file\". / The file is missing: send it in the \"file\" field."],
            });
        }
        await intake.AnnounceAsync(stored, ct);
        return await AcceptedAsync(user.UserId(), stored.UploadId, history, ct);
    }

    /// <returns>A problem when the request is refused before any byte is stored; otherwise what the intake did with the file.</returns>
    private static async Task<(IResult? Refused, UploadIntakeResult? Result)> ReceiveFileAsync(
        HttpContext http, FormSection file, string? modeText, string? mappingText, int userId, InventoryUploadIntake intake, InventoryMappings mappings, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        if (UploadFileName.Problem(file.FileName) is { } fileProblem)
        {
            errors["file"] = [fileProblem];
        }
        var mode = InventoryProblems.Mode(modeText, errors);
        InventoryColumnMapping? mapping = null;
        if (!string.IsNullOrWhiteSpace(mappingText))
        {
            try
            {
                using var document = JsonDocument.Parse(mappingText);
                mapping = ParseOptionalMapping(document.RootElement.Clone(), errors);
            }
            catch (JsonException)
            {
                errors["mapping"] = ["No es JSON válido. / Not valid JSON."];
            }
        }
        if (errors.Count > 0)
        {
            return (Results.ValidationProblem(errors), null);
        }
        if (mapping is null && !await mappings.ExistsAsync(userId, ct))
        {
            return (InventoryProblems.NoMapping(), null);
        }
        try
        {
            return (null, await intake.ReceiveAsync(userId, UploadFileName.Clean(file.FileName), mode!, mapping, file.Body, ct));
        }
        catch (UploadQuotaExceededException e)
        {
            return (InventoryProblems.QuotaExceeded(http, e), null);
        }
    }

    private static async Task<IResult> ListUploadsAsync(
        ClaimsPrincipal user, InventoryUploadHistory history, CancellationToken ct,
        [FromQuery] string? page = null, [FromQuery(Name = "page_size")] string? pageSize = null)
    {
        var errors = new Dictionary<string, string[]>();
        var pageNumber = InventoryProblems.Int(page, 1, 1, 1_000_000, "page", errors);
        var size = InventoryProblems.Int(pageSize, UploadPage.DefaultPageSize, 1, UploadPage.MaxPageSize, "page_size", errors);
        if (errors.Count > 0)
        {
            return Results.ValidationProblem(errors);
        }
        return Results.Ok(await history.ListAsync(user.UserId(), pageNumber, size, ct));
    }

    private static async Task<IResult> GetUploadAsync(long id, ClaimsPrincipal user, InventoryUploadHistory history, CancellationToken ct) =>
        await history.GetAsync(user.UserId(), id, ct) is { } upload ? Results.Ok(upload) : InventoryProblems.UploadNotFound(id);

    /// <summary>Rejected rows as CSV, UTF-8 with a BOM so Excel shows accents, formula-like cells neutralised.</summary>
    private static async Task<IResult> ErrorsCsvAsync(long id, HttpContext context, InventoryUploadHistory history, CancellationToken ct)
    {
        var response = context.Response;
        StreamWriter? writer = null;
        var found = await history.WriteErrorsAsync(context.User.UserId(), id, async row =>
        {
            await (writer ??= await StartCsvAsync(response, id)).WriteAsync(UploadErrorsCsv.Line(row) + "\r\n");
        }, ct);
        if (!found)
        {
            return InventoryProblems.UploadNotFound(id);
        }
        writer ??= await StartCsvAsync(response, id);
        await writer.DisposeAsync();
        return Results.Empty;
    }

    private static async Task<StreamWriter> StartCsvAsync(HttpResponse response, long id)
    {
        response.ContentType = "text/csv; charset=utf-8";
        response.Headers.ContentDisposition = $"attachment; filename=\"errores-carga-{id}.csv\"";
        await response.Body.WriteAsync(Encoding.UTF8.Preamble.ToArray());
        var writer = new StreamWriter(response.Body, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false), bufferSize: 16 * 1024, leaveOpen: true);
        await writer.WriteAsync(UploadErrorsCsv.Header + "\r\n");
        return writer;
    }

    private static async Task<IResult> GetMappingAsync(ClaimsPrincipal user, InventoryMappings mappings, CancellationToken ct) =>
        await mappings.GetAsync(user.UserId(), ct) is { } saved
            ? Results.Ok(new MappingResponse(saved.Mapping, saved.UpdatedAt))
            : Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "Sin mapeo de columnas / No column mapping",
                detail: "Aún no guardas un mapeo: usa POST /api/inventory/mapping/preview con un archivo de muestra y guárdalo con PUT /api/inventory/mapping. "
                    + "/ No mapping saved yet: preview a sample file, then save it with PUT /api/inventory/mapping.");

    private static async Task<IResult> PutMappingAsync(HttpRequest request, ClaimsPrincipal user, InventoryMappings mappings, CancellationToken ct)
    {
        JsonDocument document;
        try
        {
            document = await JsonDocument.ParseAsync(request.Body, cancellationToken: ct);
        }
        catch (JsonException)
        {
            return Results.ValidationProblem(new Dictionary<string, string[]> { ["mapping"] = ["El cuerpo no es JSON válido. / The body is not valid JSON."] });
        }
        using (document)
        {
            var (mapping, errors) = InventoryMappingInput.Parse(document.RootElement);
            if (mapping is null)
            {
                return Results.ValidationProblem(errors, title: "Mapeo inválido / Invalid mapping");
            }
            var saved = await mappings.SaveAsync(user.UserId(), mapping, ct);
            return Results.Ok(new MappingResponse(saved.Mapping, saved.UpdatedAt));
        }
    }

    /// <summary>First rows of a sample file (field "file"), with a suggested mapping; query header_row and sheet refine it.</summary>
    private static async Task<IResult> PreviewAsync(
        HttpContext context, InventoryPreview preview, IOptions<InventoryOptions> options, CancellationToken ct,
        [FromQuery(Name = "header_row")] string? headerRow = null, [FromQuery] string? sheet = null)
    {
        var errors = new Dictionary<string, string[]>();
        var row = InventoryProblems.Int(headerRow, 1, 1, 1000, "header_row", errors);
        if (sheet is { Length: > 100 })
        {
            errors["sheet"] = ["Máximo 100 caracteres. / At most 100 characters."];
        }
        if (errors.Count > 0)
        {
            return Results.ValidationProblem(errors);
        }
        if (MultipartSections.Reader(context.Request) is not { } reader)
        {
            return InventoryProblems.NotMultipart("file");
        }
        try
        {
            return await PreviewSampleAsync(reader, preview, options.Value, string.IsNullOrWhiteSpace(sheet) ? null : sheet, row, ct);
        }
        catch (MalformedFormException)
        {
            return MalformedForm();
        }
    }

    private static async Task<IResult> PreviewSampleAsync(MultipartReader reader, InventoryPreview preview, InventoryOptions options, string? sheet, int row, CancellationToken ct)
    {
        while (await reader.NextAsync(ct) is { } section)
        {
            if (section.Name != "file" || section.FileName is null)
            {
                continue;
            }
            if (UploadFileName.Problem(section.FileName) is { } fileProblem)
            {
                return Results.ValidationProblem(new Dictionary<string, string[]> { ["file"] = [fileProblem] });
            }
            // Only the head of the sample is read: a preview needs ~20 rows, never the whole file.
            var limit = options.MaxPreviewBytes;
            using var sample = new MemoryStream();
            var buffer = new byte[81920];
            int read;
            while (sample.Length <= limit && (read = await section.Body.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, limit + 1 - sample.Length)), ct)) > 0)
            {
                sample.Write(buffer, 0, read);
            }
            var truncated = sample.Length > limit;
            sample.SetLength(Math.Min(sample.Length, limit));
            sample.Position = 0;
            try
            {
                return Results.Ok(preview.Read(sample, UploadFileName.Clean(section.FileName), sheet, row, truncated));
            }
            catch (InventoryFileException e) when (truncated && Path.GetExtension(section.FileName).Equals(".xlsx", StringComparison.OrdinalIgnoreCase))
            {
                return Results.Problem(statusCode: StatusCodes.Status413PayloadTooLarge, title: "Archivo demasiado grande / File too large", detail: e.Message);
            }
            catch (InventoryFileException e)
            {
                return InventoryProblems.Unreadable(e);
            }
        }
        return Results.ValidationProblem(new Dictionary<string, string[]>
        {
            ["file"] = ["Falta el archivo de muestra: envíalo en el campo \"file\". / The sample file is missing: send it in the \"file\" field."],
        });
    }

    private static IResult MalformedForm() =>
        Results.ValidationProblem(new Dictionary<string, string[]> { ["form"] = [MalformedFormException.Problem] });

    private static async Task<IResult> ListItemsAsync(
        ClaimsPrincipal user, InventoryItems items, CancellationToken ct,
        [FromQuery] string? q = null, [FromQuery] string? location = null,
        [FromQuery] string? page = null, [FromQuery(Name = "page_size")] string? pageSize = null)
    {
        var errors = new Dictionary<string, string[]>();
        var pageNumber = InventoryProblems.Int(page, 1, 1, 1_000_000, "page", errors);
        var size = InventoryProblems.Int(pageSize, InventoryItemQuery.DefaultPageSize, 1, InventoryItemQuery.MaxPageSize, "page_size", errors);
        if (q is { Length: > 100 })
        {
            errors["q"] = ["Máximo 100 caracteres. / At most 100 characters."];
        }
        if (location is { Length: > 100 })
        {
            errors["location"] = ["Máximo 100 caracteres. / At most 100 characters."];
        }
        if (errors.Count > 0)
        {
            return Results.ValidationProblem(errors);
        }
        var query = new InventoryItemQuery(user.UserId(), q, string.IsNullOrEmpty(location) ? null : location, pageNumber, size);
        return Results.Ok(await items.ListAsync(query, ct));
    }

    /// <summary>Clears the caller's inventory; with ?location= only that location ("?location=" alone = rows without one).</summary>
    private static async Task<IResult> DeleteItemsAsync(HttpRequest request, ClaimsPrincipal user, InventoryItems items, CancellationToken ct)
    {
        string? location = request.Query.TryGetValue("location", out var value) ? value.ToString().Trim() : null;
        if (location is { Length: > 100 })
        {
            return Results.ValidationProblem(new Dictionary<string, string[]> { ["location"] = ["Máximo 100 caracteres. / At most 100 characters."] });
        }
        var deleted = await items.DeleteAsync(user.UserId(), location, ct);
        return Results.Ok(new DeleteItemsResponse(deleted, location));
    }

    private static InventoryColumnMapping? ParseOptionalMapping(JsonElement? body, Dictionary<string, string[]> errors)
    {
        if (body is not { ValueKind: not JsonValueKind.Null and not JsonValueKind.Undefined } element)
        {
            return null;
        }
        var (mapping, mappingErrors) = InventoryMappingInput.Parse(element);
        foreach (var (field, messages) in mappingErrors)
        {
            errors[$"mapping.{field}"] = messages;
        }
        return mapping;
    }

    private static async Task<IResult> AcceptedAsync(int userId, long uploadId, InventoryUploadHistory history, CancellationToken ct) =>
        Results.Accepted(UploadLocation(uploadId), await history.GetAsync(userId, uploadId, ct));

    private static string UploadLocation(long uploadId) => $"/api/inventory/uploads/{uploadId}";
}
