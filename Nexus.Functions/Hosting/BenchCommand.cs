using System.Globalization;
using Nexus.Core.Catalog;
using Npgsql;

namespace Nexus.Functions.Hosting;

/// <summary>
/// `dotnet Nexus.Functions.dll explain-search FILE`: for each line of FILE (a search query string such as
/// `number=0986AB2` or `name=bomba de agua`), the server-side execution time of the exact statement the
/// search endpoint runs (EXPLAIN ANALYZE, after one warm-up run). Prints one line per query, then the median and p95.
/// </summary>
public static class BenchCommand
{
    public static bool IsInvoked(string[] args) => args is ["explain-search", ..];

    public static async Task<int> RunAsync(string[] args)
    {
        if (args is not ["explain-search", var file, ..])
        {
            await Console.Error.WriteLineAsync("usage: Nexus.Functions explain-search QUERIES-FILE   (connection string from ConnectionStrings__Postgres)");
            return 2;
        }
        var builder = WebApplication.CreateBuilder(args[2..]);
        var connectionString = builder.Configuration.GetConnectionString("Postgres");
        if (string.IsNullOrEmpty(connectionString))
        {
            await Console.Error.WriteLineAsync("ConnectionStrings:Postgres is not set (e.g. ConnectionStrings__Postgres).");
            return 2;
        }

        await using var dataSource = NpgsqlDataSource.Create(connectionString);
        var catalog = new CatalogQueries(dataSource);
        var times = new List<double>();
        foreach (var line in await File.ReadAllLinesAsync(file))
        {
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }
            var values = System.Web.HttpUtility.ParseQueryString(line);
            var (query, errors) = PartSearchQuery.Create(new PartSearchQuery.Raw(values["q"], values["number"], values["name"], values["brand"],
                values["model"], values["year"], values["vehicle_id"], values["category_id"], values["include_aftermarket"], values["page"], values["page_size"]));
            if (query is null)
            {
                await Console.Error.WriteLineAsync($"invalid query '{line}': {string.Join("; ", errors.Keys)}");
                return 2;
            }
            await catalog.MeasureSearchAsync(query, CancellationToken.None);
            var ms = await catalog.MeasureSearchAsync(query, CancellationToken.None);
            times.Add(ms);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{ms,9:F3} ms  {line}"));
        }
        times.Sort();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"SQL_SUMMARY queries={times.Count} median_ms={Percentile(times, 0.50):F2} p95_ms={Percentile(times, 0.95):F2} max_ms={times[^1]:F2}"));
        return 0;
    }

    private static double Percentile(List<double> sorted, double p) =>
        sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Count) - 1, 0, sorted.Count - 1)];
}
