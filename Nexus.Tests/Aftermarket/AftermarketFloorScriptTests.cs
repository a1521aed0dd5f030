using Nexus.Core.Aftermarket;

namespace Nexus.Tests.Aftermarket;

/// <summary>The bench's floor must be the worker's SQL: the checked-in script is regenerated whenever that SQL changes.</summary>
public sealed class AftermarketFloorScriptTests
{
    [Fact]
    public void The_checked_in_floor_script_is_generated_from_the_worker_sql()
    {
        var root = new DirectoryInfo(AppContext.BaseDirectory);
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "Nexus.sln")))
        {
            root = root.Parent;
        }
        Assert.NotNull(root);
        var checkedIn = File.ReadAllText(Path.Combine(root.FullName, AftermarketFloorScript.RepositoryPath));

        Assert.True(checkedIn == AftermarketFloorScript.Build(),
            $"{AftermarketFloorScript.RepositoryPath} is stale: run `dotnet Nexus.Functions.dll aftermarket-floor > {AftermarketFloorScript.RepositoryPath}`.");
    }

    [Fact]
    public void The_explain_variant_runs_the_same_statements_under_explain_analyze()
    {
        var plain = AftermarketFloorScript.Build();
        var explained = AftermarketFloorScript.Build(explain: true);

        Assert.DoesNotContain("EXPLAIN", plain, StringComparison.Ordinal);
        Assert.Contains("EXPLAIN (ANALYZE, BUFFERS) WITH created AS", explained, StringComparison.Ordinal);
        Assert.Equal(plain, explained.Replace("EXPLAIN (ANALYZE, BUFFERS) ", "", StringComparison.Ordinal));
        Assert.DoesNotContain("@", plain, StringComparison.Ordinal);
    }
}
