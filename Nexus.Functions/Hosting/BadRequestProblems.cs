using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics;

namespace Nexus.Functions.Hosting;

/// <summary>
/// A request the endpoint could not even bind (body not JSON, wrong JSON types, body missing, wrong content type) is
/// answered with a problem that says which, instead of a bare 400 or 415. The framework throws the 400s as
/// <see cref="BadHttpRequestException"/> because RouteHandlerOptions.ThrowOnBadRequest is on; the 415 it only sets.
/// </summary>
public sealed class BadRequestProblems(IProblemDetailsService problems) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken ct)
    {
        if (exception is not BadHttpRequestException bad || context.Response.HasStarted)
        {
            return false;
        }
        var (title, detail) = bad switch
        {
            { InnerException: JsonException json } => ("JSON inválido / Invalid JSON", InvalidJson(json)),
            _ => ("Solicitud inválida / Bad request",
                "Falta el cuerpo JSON de la operación o no se puede leer. / The operation's JSON body is missing or cannot be read."),
        };
        context.Response.StatusCode = bad.StatusCode;
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            Exception = exception,
            ProblemDetails = { Status = bad.StatusCode, Title = title, Detail = detail },
        });
    }

    /// <summary>The framework answers a JSON body of the wrong type with a bare 415; the problem then says what to send.</summary>
    public static void Explain(ProblemDetailsContext context)
    {
        if (context.ProblemDetails is { Status: StatusCodes.Status415UnsupportedMediaType, Detail: null } problem)
        {
            problem.Detail = "Envía el cuerpo como application/json. / Send the body as application/json.";
        }
    }

    private static string InvalidJson(JsonException json)
    {
        var where = json is { Path: { Length: > 0 } path } ? $" ({path}, línea {json.LineNumber + 1} / line {json.LineNumber + 1})" : "";
        return $"El cuerpo no es JSON válido para esta operación{where}. / The body is not valid JSON for this operation{where}.";
    }
}
