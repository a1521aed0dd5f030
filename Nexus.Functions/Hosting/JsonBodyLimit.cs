using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace Nexus.Functions.Hosting;

/// <summary>
/// Refuses a JSON body under /api larger than <see cref="NexusOptions.MaxJsonBodyBytes"/> with a 413 problem before any
/// endpoint parses it. A declared length decides at once; a body without one (chunked) is read up to the limit into
/// memory and handed on from there. File uploads are multipart and keep their own, larger limit.
/// </summary>
public static class JsonBodyLimit
{
    public static WebApplication UseJsonBodyLimit(this WebApplication app)
    {
        var limit = app.Services.GetRequiredService<IOptions<NexusOptions>>().Value.MaxJsonBodyBytes;
        app.Use(async (context, next) =>
        {
            var request = context.Request;
            if (!request.Path.StartsWithSegments("/api") || !IsJson(request.ContentType))
            {
                await next(context);
                return;
            }
            if (request.ContentLength is { } length)
            {
                if (length > limit)
                {
                    await TooLargeAsync(context, limit);
                    return;
                }
                await next(context);
                return;
            }
            var buffered = new MemoryStream();
            var chunk = new byte[16 * 1024];
            int read;
            while ((read = await request.Body.ReadAsync(chunk, context.RequestAborted)) > 0)
            {
                if (buffered.Length + read > limit)
                {
                    await TooLargeAsync(context, limit);
                    return;
                }
                buffered.Write(chunk, 0, read);
            }
            buffered.Position = 0;
            request.Body = buffered;
            await next(context);
        });
        return app;
    }

    private static bool IsJson(string? contentType) =>
        MediaTypeHeaderValue.TryParse(contentType, out var type)
        && (type.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase) || type.Suffix.Equals("json", StringComparison.OrdinalIgnoreCase));

    private static Task TooLargeAsync(HttpContext context, int limit)
    {
        var kb = limit / 1024;
        return Results.Problem(statusCode: StatusCodes.Status413PayloadTooLarge, title: "Cuerpo demasiado grande / Request body too large",
            detail: $"El cuerpo JSON excede {kb} KB. / The JSON body is larger than {kb} KB.").ExecuteAsync(context);
    }
}
