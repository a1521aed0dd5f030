using System.Globalization;
using Nexus.Core.Inventory;

namespace Nexus.Functions.Inventory;

/// <summary>The inventory API's problem answers (Spanish first, then English) and its query-string parsing.</summary>
internal static class InventoryProblems
{
    public static IResult UploadNotFound(long id) => Results.Problem(statusCode: StatusCodes.Status404NotFound,
        title: "Carga no encontrada / Upload not found",
        detail: $"No existe la carga {id} en tu cuenta. / There is no upload {id} in your account.");

    public static IResult TooLarge(long limit) => Results.Problem(statusCode: StatusCodes.Status413PayloadTooLarge,
        title: "Archivo demasiado grande / File too large",
        detail: new UploadTooLargeException(limit).Message);

    /// <summary>429 with Retry-After: the bodega's upload quota (in flight or per hour) is used up; nothing was recorded.</summary>
    public static IResult QuotaExceeded(HttpContext http, UploadQuotaExceededException e)
    {
        http.Response.Headers.RetryAfter = ((int)Math.Ceiling(e.RetryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        return Results.Problem(statusCode: StatusCodes.Status429TooManyRequests, title: e.Title, detail: e.Message,
            type: "https://www.rfc-editor.org/rfc/rfc6585#section-4");
    }

    public static IResult NoMapping() => Results.ValidationProblem(
        new Dictionary<string, string[]>
        {
            ["mapping"] =
            [
                "No tienes un mapeo de columnas guardado: guárdalo con PUT /api/inventory/mapping (o envía \"mapping\" con la carga). "
                + "/ No saved column mapping: save one with PUT /api/inventory/mapping (or send \"mapping\" with the upload).",
            ],
        },
        title: "Falta el mapeo de columnas / Column mapping required");

    public static IResult Unreadable(InventoryFileException e) => Results.Problem(statusCode: StatusCodes.Status400BadRequest,
        title: "Archivo no legible / Unreadable file", detail: e.Message);

    public static IResult NotMultipart(string field) => Results.Problem(statusCode: StatusCodes.Status415UnsupportedMediaType,
        title: "Se esperaba multipart/form-data / multipart/form-data expected",
        detail: $"Envía el archivo como multipart/form-data en el campo \"{field}\". / Send the file as multipart/form-data in the \"{field}\" field.");

    /// <summary>A whole number in range, or the fallback when absent; an error naming the field otherwise.</summary>
    public static int Int(string? text, int fallback, int min, int max, string field, Dictionary<string, string[]> errors)
    {
        if (string.IsNullOrEmpty(text))
        {
            return fallback;
        }
        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max)
        {
            return value;
        }
        errors[field] = [$"Debe ser un número entero de {min} a {max}. / Must be a whole number from {min} to {max}."];
        return fallback;
    }

    public static bool Bool(string? text, string field, Dictionary<string, string[]> errors)
    {
        switch (text?.Trim().ToLowerInvariant())
        {
            case null or "" or "false" or "0":
                return false;
            case "true" or "1":
                return true;
            default:
                errors[field] = ["Debe ser true o false. / Must be true or false."];
                return false;
        }
    }

    /// <summary>The upload mode, merge when absent; null (with an error) when it is neither.</summary>
    public static string? Mode(string? text, Dictionary<string, string[]> errors)
    {
        var mode = string.IsNullOrWhiteSpace(text) ? "merge" : text.Trim().ToLowerInvariant();
        if (InventoryUploads.Modes.Contains(mode))
        {
            return mode;
        }
        errors["mode"] = ["Debe ser merge (actualizar) o replace (reemplazar todo). / Must be merge or replace."];
        return null;
    }
}
