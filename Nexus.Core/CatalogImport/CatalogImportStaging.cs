using Dapper;
using Nexus.Core.Inventory;
using Npgsql;
using NpgsqlTypes;

namespace Nexus.Core.CatalogImport;

/// <summary>
/// Streams an article feed's rows into the session's temporary staging table with binary COPY. The CSV is read by the
/// inventory's <see cref="CsvSheetReader"/> (separator among , ; tab; UTF-8, UTF-16 by BOM, or Windows-1252) after the
/// same <see cref="InventoryFileSniffer"/> checks. Nothing here touches the catalog; see <see cref="CatalogImportApply"/>.
/// </summary>
public sealed class CatalogImportStaging(NpgsqlConnection connection, CatalogImportOptions options)
{
    public async Task CreateTableAsync(CancellationToken ct)
    {
        const string sql = """
            DROP TABLE IF EXISTS pg_temp.catalog_import_staging;
            CREATE TEMP TABLE catalog_import_staging (
                row_number      integer NOT NULL,
                supplier        text    NOT NULL,
                article_number  text    NOT NULL,
                name            text,
                category        text,
                oem_numbers     text[]  NOT NULL,
                vehicle_ids     integer[] NOT NULL,
                bad_vehicle_ids text[]  NOT NULL,
                error           text
            );
            """;
        await connection.ExecuteAsync(new CommandDefinition(sql, cancellationToken: ct));
    }

    public async Task DropTableAsync()
    {
        const string sql = "DROP TABLE IF EXISTS pg_temp.catalog_import_staging";
        await connection.ExecuteAsync(sql);
    }

    public async Task AnalyzeAsync(CancellationToken ct)
    {
        const string sql = "ANALYZE pg_temp.catalog_import_staging";
        await connection.ExecuteAsync(new CommandDefinition(sql, cancellationToken: ct));
    }

    /// <summary>
    /// Reads the whole file into staging (blocking: run it off the request path) and returns the number of data rows.
    /// A CSV that turns out not to be UTF-8 is read again from the start as Windows-1252.
    /// </summary>
    /// <param name="progress">Called every <see cref="CatalogImportOptions.ProgressEveryRows"/> rows with the count so far.</param>
    public int Load(Stream seekable, string fileName, Action<int> progress, CancellationToken ct)
    {
        var head = new byte[InventoryFileSniffer.HeadLength];
        var headLength = seekable.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        seekable.Position = 0;
        if (InventoryFileSniffer.Detect(fileName, head.AsSpan(0, headLength)) != InventoryFileKind.Csv)
        {
            throw new InventoryFileException(CatalogImportFileName.CsvOnlyMessage);
        }
        try
        {
            using var csv = new CsvSheetReader(seekable, head.AsSpan(0, headLength), options.MaxRecordBytes, legacyEncoding: null);
            return Copy(csv, progress, ct);
        }
        catch (NotUtf8Exception)
        {
            seekable.Position = 0;
            using var csv = new CsvSheetReader(seekable, head.AsSpan(0, headLength), options.MaxRecordBytes, CsvSheetReader.Windows1252);
            return Copy(csv, progress, ct);
        }
    }

    private int Copy(CsvSheetReader reader, Action<int> progress, CancellationToken ct)
    {
        var headers = ReadHeaders(reader);
        if (reader.Separator == CatalogImportColumns.ValueSeparator)
        {
            throw new InventoryFileException(
                "Las columnas del archivo están separadas por |, que separa los números OEM y los vehículos dentro de una celda: "
                + "guárdalo separado por comas, punto y coma o tabuladores.");
        }
        var columns = CatalogImportColumns.Bind(headers);

        const string copy = """
            COPY catalog_import_staging (row_number, supplier, article_number, name, category, oem_numbers, vehicle_ids, bad_vehicle_ids, error)
            FROM STDIN (FORMAT BINARY)
            """;
        // Disposed without Complete() (an exception, a retry in another encoding) the COPY is cancelled: staging stays empty.
        using var importer = connection.BeginBinaryImport(copy);
        var rows = 0;
        while (reader.Read())
        {
            if (columns.Map(reader) is not { } row)
            {
                continue;
            }
            if (++rows > options.MaxRows)
            {
                throw new InventoryFileException($"El archivo tiene más de {options.MaxRows:N0} filas de datos; divídelo en varios archivos.");
            }
            Write(importer, row);
            if (rows % options.ProgressEveryRows == 0)
            {
                ct.ThrowIfCancellationRequested();
                progress(rows);
            }
        }
        if (rows == 0)
        {
            throw new InventoryFileException("El archivo no tiene filas de datos después de los encabezados.");
        }
        importer.Complete();
        return rows;
    }

    private static string[] ReadHeaders(SheetReader reader)
    {
        if (!reader.Read())
        {
            throw new InventoryFileException("El archivo está vacío.");
        }
        var headers = new string[reader.FieldCount];
        for (var i = 0; i < headers.Length; i++)
        {
            headers[i] = reader.Cell(i).Text.Trim();
        }
        if (headers.All(h => h.Length == 0))
        {
            throw new InventoryFileException($"La fila {reader.RowNumber} de encabezados está vacía.");
        }
        return headers;
    }

    private static void Write(NpgsqlBinaryImporter importer, CatalogImportRow row)
    {
        importer.StartRow();
        importer.Write(row.RowNumber, NpgsqlDbType.Integer);
        importer.Write(row.Supplier, NpgsqlDbType.Text);
        importer.Write(row.ArticleNumber, NpgsqlDbType.Text);
        WriteNullable(importer, row.Name);
        WriteNullable(importer, row.Category);
        importer.Write(row.OemNumbers, NpgsqlDbType.Array | NpgsqlDbType.Text);
        importer.Write(row.VehicleIds, NpgsqlDbType.Array | NpgsqlDbType.Integer);
        importer.Write(row.BadVehicleIds, NpgsqlDbType.Array | NpgsqlDbType.Text);
        WriteNullable(importer, row.Error);
    }

    private static void WriteNullable(NpgsqlBinaryImporter importer, string? value)
    {
        if (value is null)
        {
            importer.WriteNull();
        }
        else
        {
            importer.Write(value, NpgsqlDbType.Text);
        }
    }
}
