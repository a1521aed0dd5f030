using System.Text;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;
using Nexus.Core.Inventory;

namespace Nexus.Functions.Inventory;

/// <summary>One part of a multipart/form-data body, read as it arrives (files are never buffered whole).</summary>
internal sealed record FormSection(string Name, string? FileName, Stream Body);

/// <summary>The client's multipart body is cut off or breaks the format's limits: its fault, answered with a 400.</summary>
internal sealed class MalformedFormException(Exception inner) : Exception("The multipart body is incomplete or malformed.", inner)
{
    public const string Problem = "El formulario multipart está incompleto o mal formado: vuelve a enviarlo. / The multipart form is incomplete or malformed: send it again.";
}

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
        while (await ReadSectionAsync(reader, ct) is { } section)
        {
            // IsFormDisposition() is false for file parts, so the type is checked directly.
            if (ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var disposition)
                && disposition.DispositionType.Equals("form-data", StringComparison.OrdinalIgnoreCase))
            {
                var fileName = disposition.FileNameStar.HasValue ? disposition.FileNameStar.Value
                    : disposition.FileName.HasValue ? HeaderUtilities.RemoveQuotes(disposition.FileName).Value
                    : null;
                return new FormSection(HeaderUtilities.RemoveQuotes(disposition.Name).Value ?? "", fileName, new FormBodyStream(section.Body));
            }
        }
        return null;
    }

    private static async Task<MultipartSection?> ReadSectionAsync(MultipartReader reader, CancellationToken ct)
    {
        try
        {
            return await reader.ReadNextSectionAsync(ct);
        }
        catch (Exception e) when (e is IOException or InvalidDataException && !ct.IsCancellationRequested)
        {
            throw new MalformedFormException(e);
        }
    }

    /// <summary>A text field's value (UTF-8), at most 64 KB.</summary>
    public static async Task<string> ReadTextAsync(this FormSection section, CancellationToken ct)
    {
        using var reader = new StreamReader(new SizeLimitedStream(section.Body, MaxFieldBytes), Encoding.UTF8);
        return await reader.ReadToEndAsync(ct);
    }
}

/// <summary>
/// A part's body that reports the multipart reader's complaints (body cut off, limits broken) as <see cref="MalformedFormException"/>,
/// so that they cannot be mistaken for a failure of the storage the part is copied to.
/// </summary>
internal sealed class FormBodyStream(Stream inner) : Stream
{
    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count)
    {
        try
        {
            return inner.Read(buffer, offset, count);
        }
        catch (Exception e) when (e is IOException or InvalidDataException)
        {
            throw new MalformedFormException(e);
        }
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        try
        {
            return await inner.ReadAsync(buffer, cancellationToken);
        }
        catch (Exception e) when (e is IOException or InvalidDataException && !cancellationToken.IsCancellationRequested)
        {
            throw new MalformedFormException(e);
        }
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
