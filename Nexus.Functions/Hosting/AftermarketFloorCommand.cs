using Nexus.Core.Aftermarket;

namespace Nexus.Functions.Hosting;

/// <summary>
/// `dotnet Nexus.Functions.dll aftermarket-floor [--explain]`: prints the AFT- migration floor script (the worker's SQL as
/// one psql transaction) to stdout; with --explain every large statement runs under EXPLAIN (ANALYZE, BUFFERS).
/// </summary>
public static class AftermarketFloorCommand
{
    public static bool IsInvoked(string[] args) => args is ["aftermarket-floor", ..];

    public static async Task<int> RunAsync(string[] args)
    {
        if (args is not (["aftermarket-floor"] or ["aftermarket-floor", "--explain"]))
        {
            await Console.Error.WriteLineAsync("usage: Nexus.Functions aftermarket-floor [--explain]");
            return 2;
        }
        await Console.Out.WriteAsync(AftermarketFloorScript.Build(explain: args.Length == 2));
        return 0;
    }
}
