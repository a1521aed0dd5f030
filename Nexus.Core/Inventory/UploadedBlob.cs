using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;

namespace Nexus.Core.Inventory;

/// <summary>The uploaded file's blob as a worker first sees it: it must exist and be within the size limit.</summary>
public static class UploadedBlob
{
    public static async Task<BlobProperties> CheckedPropertiesAsync(BlobClient blob, long maxBytes, CancellationToken ct)
    {
        BlobProperties properties;
        try
        {
            properties = (await blob.GetPropertiesAsync(cancellationToken: ct)).Value;
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            throw new InventoryFileException("El archivo no se encontró en el almacenamiento: vuelve a subirlo.");
        }
        if (properties.ContentLength > maxBytes)
        {
            throw new InventoryFileException($"El archivo pesa {properties.ContentLength / 1048576.0:N1} MB; el máximo es {maxBytes / 1048576.0:N0} MB.");
        }
        return properties;
    }
}
