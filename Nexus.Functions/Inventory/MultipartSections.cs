using System.Text;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;
using Nexus.Core.Inventory;

namespace Nexus.Functions.Inventory;

/// <summary>One part of a multipart/form-data body, read as it arrives (files are never buffered whole).</summary>
internal sealed record FormSection(string Name, string? FileName, Stream Body);

/// <summary>Forward-only reading of multipart/form-data request bodies.</summary>
internal static class MultipartSections
{
    private const int MaxFieldBytes = 64 * 1024;

    public static MultipartReader? Reader(HttpRequest request)
    {
        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var contentType)
            || !contentType.MediaType.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }
        var boundary = HeaderUtilities.RemoveQuotes(contentType.Boundary).Value;
        return string.IsNullOrEmpty(boundary) ? null : new MultipartReader(boundary, request.Body);
    }

    /// <summary>The next form-data part, skipping parts that are not; null at the end.</summary>
    public static async Task<FormSection?> NextAsync(this MultipartReader reader, CancellationToken ct)
    {
        while (await reader.ReadNextSectionAsync(ct) is { } section)
        {
            // IsFormDisposition() is false for file parts, so the type is checked directly.
            if (ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var disposition)
                && disposition.DispositionType.Equals("form-data", StringComparison.OrdinalIgnoreCase))
            {
                var fileName = disposition.FileNameStar.HasValue ? disposition.FileNameStar.Value
                    : disposition.FileName.HasValue ? HeaderUtilities.RemoveQuotes(disposition.FileName).Value
                    : null;
                return new FormSection(HeaderUtilities.RemoveQuotes(disposition.Name).Value ?? "", fileName, section.Body);
            }
        }
        return null;
    }

    /// <summary>A text field's value (UTF-8), at most 64 KB.</summary>
    public static async Task<string> ReadTextAsync(this FormSection section, CancellationToken ct)
    {
        using var reader = new StreamReader(new SizeLimitedStream(section.Body, MaxFieldBytes), Encoding.UTF8);
        return await reader.ReadToEndAsync(ct);
    }
}
