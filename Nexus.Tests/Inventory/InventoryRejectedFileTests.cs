using System.IO.Compression;
using System.Text;
using Nexus.Core.Inventory;

namespace Nexus.Tests.Inventory;

/// <summary>Files that cannot be imported end the upload as failed with a message for the bodega, never a crash.</summary>
public sealed class InventoryRejectedFileTests(InventoryTestContext context) : IClassFixture<InventoryTestContext>
{
    private static readonly InventoryColumnMapping Mapping = new() { PartNumber = "NUM_PARTE", Price = "PRECIO", Stock = "EXISTENCIAS" };

    private async Task<UploadRow> FailsAsync(string fileName, byte[] content, string expectedMessagePart)
    {
        var bodega = await context.CreateBodegaAsync();
        var (outcome, upload) = await context.ImportAsync(bodega, fileName, content, mapping: Mapping);
        Assert.Equal(InventoryUploadOutcome.Failed, outcome);
        Assert.Equal("failed", upload.Status);
        Assert.Contains(expectedMessagePart, upload.ErrorLog);
        Assert.Empty(await context.ItemsAsync(bodega));
        return upload;
    }

    [Fact]
    public Task Empty_file_fails() => FailsAsync("vacio.csv", [], "vacío");

    [Fact]
    public Task Header_only_file_fails() => FailsAsync("solo.csv", "NUM_PARTE,PRECIO,EXISTENCIAS\r\n"u8.ToArray(), "no tiene filas de datos");

    [Fact]
    public Task Binary_garbage_fails() => FailsAsync("basura.csv", Enumerable.Range(0, 4096).Select(i => (byte)(i * 7919 % 256)).ToArray(), "no es texto CSV");

    [Fact]
    public Task Legacy_xls_fails_with_advice() =>
        FailsAsync("viejo.xls", [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1, 0, 0, 0, 0], "guárdalo como .xlsx o .csv");

    [Fact]
    public Task Ole_content_behind_an_xlsx_name_fails_as_xls() =>
        FailsAsync("disfrazado.xlsx", [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1, 1, 2, 3], "guárdalo como .xlsx o .csv");

    [Fact]
    public Task Xml_with_a_doctype_fails() =>
        FailsAsync("inventario.csv", "<?xml version=\"1.0\"?>\n<!DOCTYPE x [<!ENTITY a \"aaaa\">]>\n<x>&a;</x>"u8.ToArray(), "DOCTYPE");

    [Fact]
    public Task Xlsx_whose_parts_declare_entities_fails()
    {
        using var file = new MemoryStream();
        using (var zip = new ZipArchive(file, ZipArchiveMode.Create, leaveOpen: true))
        {
            Write(zip, "[Content_Types].xml", "<?xml version=\"1.0\"?><Types/>");
            Write(zip, "xl/workbook.xml", "<?xml version=\"1.0\"?><!DOCTYPE lol [<!ENTITY lol \"lol\">]><workbook>&lol;</workbook>");
        }
        return FailsAsync("bomba.xlsx", file.ToArray(), "DOCTYPE");
    }

    [Fact]
    public Task Zip_bomb_is_refused_from_its_directory_before_inflating()
    {
        using var file = new MemoryStream();
        using (var zip = new ZipArchive(file, ZipArchiveMode.Create, leaveOpen: true))
        {
            Write(zip, "[Content_Types].xml", "<?xml version=\"1.0\"?><Types/>");
            Write(zip, "xl/workbook.xml", "<?xml version=\"1.0\"?><workbook/>");
            using var sheet = zip.CreateEntry("xl/worksheets/sheet1.xml", CompressionLevel.SmallestSize).Open();
            var zeros = new byte[1024 * 1024];
            for (var i = 0; i < 64; i++)
            {
                sheet.Write(zeros);
            }
        }
        Assert.True(file.Length < 1024 * 1024);
        return FailsAsync("bomba.xlsx", file.ToArray(), "demasiado grande");
    }

    [Fact]
    public Task Corrupt_xlsx_fails() => FailsAsync("roto.xlsx", [0x50, 0x4B, 0x03, 0x04, 1, 2, 3, 4, 5], "dañado");

    [Fact]
    public Task A_five_megabyte_line_fails_the_file_cleanly()
    {
        var content = new StringBuilder("NUM_PARTE,PRECIO,EXISTENCIAS\nABC-123,1,1\n\"").Append('x', 5 * 1024 * 1024).Append("\",1,1\n");
        return FailsAsync("largo.csv", Encoding.UTF8.GetBytes(content.ToString()), "(línea 3) excede el máximo de 1024 KB");
    }

    [Fact]
    public Task Unknown_extension_fails() => FailsAsync("inventario.pdf", "%PDF-1.4"u8.ToArray(), "Formato no admitido");

    [Fact]
    public async Task Without_mapping_unrecognised_headers_fail_asking_for_a_mapping()
    {
        var bodega = await context.CreateBodegaAsync();
        var (_, upload) = await context.ImportCsvAsync(bodega, "uno,dos,tres\n1,2,3\n");
        Assert.Equal("failed", upload.Status);
        Assert.Contains("Configura el mapeo", upload.ErrorLog);
    }

    [Fact]
    public async Task Bad_values_are_rejected_per_row_with_their_reason()
    {
        var bodega = await context.CreateBodegaAsync();
        var csv = "NUM_PARTE,PRECIO,EXISTENCIAS\nABC-123,-5,1\nXYZ789,10,-2\nK/55.1,99999999999,1\nABC-123,10,1.5\n,10,1\nXYZ789,gratis,1\nK551,12.5,4\n";
        var (_, upload) = await context.ImportCsvAsync(bodega, csv, mapping: Mapping);

        Assert.Equal(("completed", 7, 1, 6), (upload.Status, upload.RowsTotal, upload.RowsImported, upload.RowsErrors));
        var errors = await context.ErrorsAsync(upload.IdUpload);
        Assert.Equal([2, 3, 4, 5, 6, 7], errors.Select(e => e.RowNumber));
        Assert.Contains("Precio negativo", errors[0].Reason);
        Assert.Contains("negativa", errors[1].Reason);
        Assert.Contains("fuera de rango", errors[2].Reason);
        Assert.Contains("no es un número entero", errors[3].Reason);
        Assert.Contains("Falta el número de parte", errors[4].Reason);
        Assert.Contains("Precio no válido", errors[5].Reason);
        Assert.Equal(["XYZ789", "gratis", "1", "", "", ""], errors[5].RawValues);
        Assert.Contains("Fila 2: Precio negativo", upload.ErrorLog);
    }

    private static void Write(ZipArchive zip, string name, string text)
    {
        using var stream = zip.CreateEntry(name).Open();
        stream.Write(Encoding.UTF8.GetBytes(text));
    }
}
