namespace Nexus.Tests.Hostile;

/// <summary>A named hostile or broken input and what the app must answer; the run checks the aftermath itself.</summary>
public sealed record HostileCase(string Name, Func<HostileRun, Task> Run)
{
    public override string ToString() => Name;
}

/// <summary>The whole corpus by name: the files, then the requests.</summary>
public static class HostileCorpus
{
    public static readonly IReadOnlyDictionary<string, HostileCase> Cases =
        HostileFileCases.All.Concat(HostileXlsxCases.All).Concat(HostileRequestCases.All).Concat(HostileTokenCases.All)
            .ToDictionary(c => c.Name);
}
