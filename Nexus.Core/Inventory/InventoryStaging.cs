using System.Collections.Concurrent;
using System.Runtime.ExceptionServices;
using Dapper;
using Nexus.Core.Workers;
using Npgsql;
using NpgsqlTypes;

namespace Nexus.Core.Inventory;

/// <param name="Superseded">Rows replaced by a later row of the file (sorted), with <paramref name="Winners"/> alongside.</param>
/// <param name="HasBrands">Some valid row names a brand (only then can two rows collide on one part).</param>
/// <param name="Valid">Rows staged without an error (superseded ones included).</param>
public sealed record StagingResult(int Rows, InventoryColumnMapping Mapping, int[] Superseded, int[] Winners, bool HasBrands, int Valid);

/// <summary>
/// Streams a file's rows through the mapping into the session's temporary staging table with binary COPY.
/// Nothing here touches the bodega's inventory; see <see cref="InventoryApply"/>.
/// </summary>
public sealed class InventoryStaging(NpgsqlConnection connection, InventoryOptions options)
{
    /// <summary>For tests: the hash <see cref="RowDeduplicator"/> uses (null = its own).</summary>
    internal Func<InventoryRow, int>? DuplicateKeyHash { get; init; }

    /// <summary>Gives way to requests between batches of rows (null = never).</summary>
    public BackgroundPacing.Pacer? Pacing { get; init; }

    public async Task CreateTableAsync(CancellationToken ct)
    {
        const string sql = """
            DROP TABLE IF EXISTS pg_temp.inventory_staging;
            CREATE TEMP TABLE inventory_staging (
                row_number       integer NOT NULL,
                part_number      text    NOT NULL,
                part_number_norm text    NOT NULL,
                brand            text,
                price            numeric(12,2),
                stock            integer,
                location         text,
                min_order        integer,
                error            text,
                raw_values       text[]
            );
            """;
        await connection.ExecuteAsync(new CommandDefinition(sql, cancellationToken: ct));
    }

    public async Task DropTableAsync()
    {
        const string sql = "DROP TABLE IF EXISTS pg_temp.inventory_staging";
        await connection.ExecuteAsync(sql);
    }

    /// <summary>
    /// Statistics for the columns the import's statements join, group or filter on. The others (the number as written,
    /// the values, the raw cells of rejected rows) only ever go through as they are, and sampling them too took more than
    /// half of the ANALYZE (100,000 rows: ~240 against ~80 ms).
    /// </summary>
    public async Task AnalyzeAsync(CancellationToken ct)
    {
        const string sql = "ANALYZE pg_temp.inventory_staging (row_number, part_number_norm, brand, location, error)";
        await connection.ExecuteAsync(new CommandDefinition(sql, cancellationToken: ct));
    }

    /// <summary>
    /// Reads the whole file into staging (blocking: run it off the request path). A CSV that turns out not to be UTF-8
    /// is read again from the start as Windows-1252.
    /// </summary>
    /// <param name="mapping">The bodega's mapping, or null to guess one from the headers.</param>
    /// <param name="progress">Called every <see cref="InventoryOptions.ProgressEveryRows"/> rows with the count so far.</param>
    public StagingResult Load(Stream seekable, string fileName, InventoryColumnMapping? mapping, Action<int> progress, CancellationToken ct)
    {
        var head = new byte[InventoryFileSniffer.HeadLength];
        var headLength = seekable.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        seekable.Position = 0;
        var kind = InventoryFileSniffer.Detect(fileName, head.AsSpan(0, headLength));
        if (kind == InventoryFileKind.Xlsx)
        {
            XlsxGuard.Check(seekable, options);
            seekable.Position = 0;
            using var sheet = new XlsxSheetReader(seekable, mapping?.Sheet);
            return Copy(sheet, mapping, progress, ct);
        }
        try
        {
            using var csv = new CsvSheetReader(seekable, head.AsSpan(0, headLength), options.MaxRecordBytes, legacyEncoding: null);
            return Copy(csv, mapping, progress, ct);
        }
        catch (NotUtf8Exception)
        {
            seekable.Position = 0;
            using var csv = new CsvSheetReader(seekable, head.AsSpan(0, headLength), options.MaxRecordBytes, CsvSheetReader.Windows1252);
            return Copy(csv, mapping, progress, ct);
        }
    }

    private StagingResult Copy(SheetReader reader, InventoryColumnMapping? mapping, Action<int> progress, CancellationToken ct)
    {
        var headerRow = mapping?.HeaderRow ?? 1;
        var headers = ReadHeaders(reader, headerRow);
        mapping ??= SuggestedOrFail(headers, headerRow);
        var mapper = InventoryRowMapper.Bind(mapping, headers);

        var (rows, valid, hasBrands, suspects) = StageRows(reader, mapper, progress, ct);
        var (superseded, winners) = Superseded(suspects);
        return new StagingResult(rows, mapping, superseded, winners, hasBrands, valid);
    }

    private (int Rows, int Valid, bool HasBrands, int[] Suspects) StageRows(SheetReader reader, InventoryRowMapper mapper, Action<int> progress,
        CancellationToken ct)
    {
        const string copy = """
            COPY inventory_staging (row_number, part_number, part_number_norm, brand, price, stock, location, min_order, error, raw_values)
            FROM STDIN (FORMAT BINARY)
            """;
        // Disposed without Complete() (an exception, a retry in another encoding) the COPY is cancelled: staging stays empty.
        using var importer = connection.BeginBinaryImport(copy);
        // This thread parses the file while another writes the rows to the COPY: on a big file each takes about as long
        // (1M rows: ~1.5 s each, warm), so the two together take little more than one of them.
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        using var batches = new BlockingCollection<InventoryRow[]>(BatchesInFlight);
        var writer = BackgroundThread.Run(() =>
        {
            try
            {
                foreach (var batch in batches.GetConsumingEnumerable(stop.Token))
                {
                    foreach (var row in batch)
                    {
                        Write(importer, row);
                    }
                }
            }
            catch
            {
                stop.Cancel();
                throw;
            }
        }, CancellationToken.None);

        var rows = 0;
        var duplicates = new RowDeduplicator(DuplicateKeyHash);
        var hasBrands = false;
        var valid = 0;
        try
        {
            var batch = new List<InventoryRow>(BatchRows);
            while (reader.Read())
            {
                if (mapper.Map(reader) is not { } row)
                {
                    continue;
                }
                if (++rows > options.MaxRows)
                {
                    throw new InventoryFileException($"El archivo tiene más de {options.MaxRows:N0} filas de datos; divídelo en varios archivos.");
                }
                batch.Add(row);
                if (batch.Count == BatchRows)
                {
                    batches.Add([.. batch], stop.Token);
                    batch.Clear();
                    Pacing?.Pace(stop.Token);
                }
                if (row.Error is null)
                {
                    duplicates.Add(row);
                    valid++;
                    hasBrands |= row.Brand is not null;
                }
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
            batches.Add([.. batch], stop.Token);
            batches.CompleteAdding();
            writer.GetAwaiter().GetResult();
        }
        catch
        {
            // The writer stops too, before the importer is disposed; when it failed first, its error is the one that counts
            // (this thread only saw the cancellation it caused).
            stop.Cancel();
            batches.CompleteAdding();
            try
            {
                writer.Wait();
            }
            catch (AggregateException)
            {
                // Looked at next.
            }
            if (writer.Exception?.InnerException is { } failure and not OperationCanceledException)
            {
                ExceptionDispatchInfo.Capture(failure).Throw();
            }
            throw;
        }
        importer.Complete();
        return (rows, valid, hasBrands, duplicates.Suspects());
    }

    /// <summary>
    /// Settles the suspects of <see cref="RowDeduplicator"/>: each row that a later row of the same number, brand and
    /// location replaces, with the last such row (its winner), sorted by row.
    /// </summary>
    private (int[] Rows, int[] Winners) Superseded(int[] suspects)
    {
        const string sql = """
            SELECT row_number, winner
            FROM (
                SELECT s.row_number, max(s.row_number) OVER (PARTITION BY s.part_number_norm, s.brand, s.location) AS winner
                FROM inventory_staging s
                JOIN unnest(@suspects::integer[]) AS x(row_number) ON x.row_number = s.row_number
                WHERE s.error IS NULL
            ) d
            WHERE row_number <> winner
            ORDER BY row_number
            """;
        if (suspects.Length == 0)
        {
            return ([], []);
        }
        var pairs = connection.Query<(int RowNumber, int Winner)>(new CommandDefinition(sql, new { suspects }, commandTimeout: 0)).ToList();
        return (pairs.Select(p => p.RowNumber).ToArray(), pairs.Select(p => p.Winner).ToArray());
    }

    private const int BatchRows = 1024;
    private const int BatchesInFlight = 16;

    private static string[] ReadHeaders(SheetReader reader, int headerRow)
    {
        while (reader.Read())
        {
            if (reader.RowNumber < headerRow)
            {
                continue;
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
        throw new InventoryFileException(headerRow == 1
            ? "El archivo está vacío."
            : $"El archivo no llega a la fila {headerRow} de encabezados.");
    }

    private static InventoryColumnMapping SuggestedOrFail(string[] headers, int headerRow)
    {
        var suggested = HeaderSuggestions.Suggest(headers, headerRow);
        var missing = suggested.Validate().Keys.Where(InventoryRowMapper.FieldNames.ContainsKey).Select(k => InventoryRowMapper.FieldNames[k]).ToList();
        if (missing.Count > 0)
        {
            throw new InventoryFileException(
                $"No hay un mapeo de columnas guardado y no se reconocieron las columnas de {string.Join(", ", missing)}. Configura el mapeo de columnas.");
        }
        return suggested;
    }

    private static void Write(NpgsqlBinaryImporter importer, InventoryRow row)
    {
        importer.StartRow();
        importer.Write(row.RowNumber, NpgsqlDbType.Integer);
        importer.Write(row.PartNumber, NpgsqlDbType.Text);
        importer.Write(row.PartNumberNorm, NpgsqlDbType.Text);
        if (row.Error is not null)
        {
            importer.WriteNull();
            importer.WriteNull();
            importer.WriteNull();
            importer.WriteNull();
            importer.WriteNull();
            importer.Write(row.Error, NpgsqlDbType.Text);
            importer.Write(row.RawValues!, NpgsqlDbType.Array | NpgsqlDbType.Text);
            return;
        }
        WriteNullable(importer, row.Brand);
        importer.Write(row.Price, NpgsqlDbType.Numeric);
        importer.Write(row.Stock, NpgsqlDbType.Integer);
        importer.Write(row.Location, NpgsqlDbType.Text);
        importer.Write(row.MinOrderQuantity, NpgsqlDbType.Integer);
        importer.WriteNull();
        importer.WriteNull();
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
